// Listening and draining: the API on PORT, the UI on UI_PORT (unless null). close() stops
// accepting, lets in-flight requests finish (bounded), then closes the database pool.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from './config.ts';
import { createApp, type CreateAppOptions, type ShopApp } from './create-app.ts';

export interface RunningServer {
  app: ShopApp;
  apiUrl: string;
  /** Undefined when the UI listener is off (UI_PORT=0). */
  uiUrl: string | undefined;
  /** Drains (at most drainMs, default 10 s) then closes the pool. Safe to call twice. */
  close(drainMs?: number): Promise<void>;
}

/**
 * A client gets 10 s to send its headers and 15 s for the whole request (bodies are at most
 * 10 kB): Node's defaults (60 s, 300 s) let a client trickling bytes hold a socket for
 * minutes. Idle keep-alive connections are governed by keepAliveTimeout instead.
 */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 15_000;
/** How often Node looks for requests past those limits (its default, 30 s, would triple them). */
const SLOW_CHECK_MS = 1_000;

function httpServer(handler: Parameters<typeof createServer>[1]): Server {
  return createServer({ headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: SLOW_CHECK_MS }, handler);
}

async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shownHost}:${addr.port}`;
}

async function drain(server: Server, drainMs: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive connections become idle as their last response is written; close them as
  // they do, so close() resolves as soon as the in-flight requests are done.
  server.closeIdleConnections();
  const sweeper = setInterval(() => server.closeIdleConnections(), 50);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, drainMs);
  });
  await Promise.race([closed, timedOut]);
  clearTimeout(timer);
  clearInterval(sweeper);
}

export async function startServer(config: AppConfig, options: CreateAppOptions = {}): Promise<RunningServer> {
  const app = createApp(config, options);
  app.startMigrations(); // in the background: the app serves (503s) before the database answers
  const apiServer = httpServer(app.api);
  // Keep-alive a little longer than HAProxy's / a client's idle timeout, so the server is not
  // the side that closes a connection a request is being written to.
  apiServer.keepAliveTimeout = 65_000;
  const apiUrl = await listen(apiServer, config.port, config.host);
  let uiServer: Server | undefined;
  let uiUrl: string | undefined;
  if (config.uiPort !== null) {
    uiServer = httpServer(app.ui);
    uiUrl = await listen(uiServer, config.uiPort, config.host);
  }
  let closing: Promise<void> | undefined;
  return {
    app,
    apiUrl,
    uiUrl,
    close(drainMs = 10_000) {
      closing ??= (async () => {
        await Promise.all([drain(apiServer, drainMs), uiServer === undefined ? undefined : drain(uiServer, drainMs)]);
        await app.close();
      })();
      return closing;
    },
  };
}
