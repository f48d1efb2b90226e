// /metrics of a tool that runs on the host while it works (the simulator, the chaos runner).
// Two doors, neither open beyond this machine: 127.0.0.1:port for a person's curl, and a
// unix socket in the lab's folder (.lab/<project>/run/) for Prometheus, whose container
// cannot reach the host's loopback: its image relays 127.0.0.1:1946x inside the container
// to these sockets (monitoring/prometheus-lab.sh). A TCP listener on the Docker gateway or
// 0.0.0.0 would do the same and also answer every machine that can route to this one.
import { chmod, unlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { connect } from 'node:net';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface ToolMetricsOptions {
  /** TCP port on `host`; 0 = any free port; undefined = none */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** unix socket for Prometheus; skipped when its folder does not exist (no lab from this checkout) */
  socketPath?: string;
}

export interface ToolMetricsServer {
  /** the bound TCP port, when one was asked for */
  port?: number;
  /** the socket served, when one was */
  socketPath?: string;
  /** why a door asked for is not served (busy port, a second tool on the socket) */
  warnings: string[];
  close(): Promise<void>;
}

function handler(registry: Registry): RequestListener {
  return (req, res) => {
    if (req.url !== '/metrics' && req.url !== '/') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('see /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err)),
    );
  };
}

function listen(server: Server, ...args: [number, string] | [string]): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(...(args as [number, string]), () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** true when something answers on the socket (another run of the same tool) */
function socketInUse(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

export async function serveToolMetrics(registry: Registry, options: ToolMetricsOptions): Promise<ToolMetricsServer> {
  const servers: Server[] = [];
  const warnings: string[] = [];
  const served: { port?: number; socketPath?: string } = {};
  const serve = handler(registry);
  if (options.port !== undefined) {
    const tcp = createServer(serve);
    const host = options.host ?? '127.0.0.1';
    try {
      await listen(tcp, options.port, host);
      const address = tcp.address();
      served.port = typeof address === 'object' && address ? address.port : options.port;
      servers.push(tcp);
    } catch (err) {
      warnings.push(`metrics not served on ${host}:${options.port}: ${(err as Error).message}`);
    }
  }
  const path = options.socketPath;
  if (path !== undefined && existsSync(dirname(path))) {
    if (await socketInUse(path)) {
      warnings.push(`metrics not served to Prometheus: another run serves ${path}`);
    } else {
      await unlink(path).catch(() => undefined); // left by a run that was killed
      const unix = createServer(serve);
      try {
        await listen(unix, path);
        // Prometheus runs as its own user in its container: it must be allowed to connect
        await chmod(path, 0o666);
        served.socketPath = path;
        servers.push(unix);
      } catch (err) {
        warnings.push(`metrics not served to Prometheus on ${path}: ${(err as Error).message}`);
      }
    }
  }
  return {
    ...served,
    warnings,
    async close() {
      await Promise.all(servers.map(closeServer));
      if (served.socketPath !== undefined) await unlink(served.socketPath).catch(() => undefined);
    },
  };
}
