// Test harness: the real shop app, in-process on free ports, against a real MariaDB (started
// here, or one passed in so several shops / restarts share it). Used by every part's tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import { resetFlags } from '../shared/feature-flags/flag-file.ts';
import { loadConfig, type AppConfig } from '../app/config.ts';
import { startServer, type RunningServer } from '../app/server.ts';
import type { ShopApp } from '../app/create-app.ts';
import { startMariaDb, type MariaDbServer } from '../lab/throwaway-mariadb.ts';

export interface StartShopOptions {
  /** Reuse a running MariaDB (not stopped by stop()); default: start a fresh one. */
  mariadb?: MariaDbServer;
  /** Settings on top of the test defaults (error injection on, logs silent, free ports). */
  config?: Partial<Omit<AppConfig, 'db'>> & { db?: Partial<AppConfig['db']> };
  /** Capture the app's pino lines (one JSON object per write). */
  logDestination?: DestinationStream;
  /** Random source for payment outcomes. */
  random?: () => number;
  /** Start the UI listener too (default true). */
  ui?: boolean;
  /** Wait until migrations are applied before returning (default true). */
  waitForSchema?: boolean;
}

export interface Shop {
  /** http://127.0.0.1:<port> of the API. */
  baseUrl: string;
  /** http://127.0.0.1:<port> of the web UI (same API under /api), or undefined if ui:false. */
  uiUrl: string | undefined;
  db: MariaDbServer;
  config: AppConfig;
  app: ShopApp;
  server: RunningServer;
  /** Stops the app; also destroys the MariaDB if startShop started it. */
  stop(): Promise<void>;
}

export async function startShop(options: StartShopOptions = {}): Promise<Shop> {
  const db = options.mariadb ?? (await startMariaDb());
  const ownsDb = options.mariadb === undefined;
  const base = loadConfig({});
  const config: AppConfig = {
    ...base,
    host: '127.0.0.1',
    port: 0,
    uiPort: options.ui === false ? null : 0,
    errorInjectionEnabled: true,
    logLevel: options.logDestination === undefined ? 'silent' : 'info',
    ...options.config,
    db: { ...base.db, ...db.connection, poolSize: 10, ...options.config?.db },
  };
  let server: RunningServer;
  try {
    server = await startServer(config, { logDestination: options.logDestination, random: options.random });
    if (options.waitForSchema !== false) await server.app.whenSchemaReady(60_000);
  } catch (err) {
    if (ownsDb) await db.destroy();
    throw err;
  }
  return {
    baseUrl: server.apiUrl,
    uiUrl: server.uiUrl,
    db,
    config,
    app: server.app,
    server,
    async stop() {
      await server.close(2_000);
      if (ownsDb) await db.destroy();
    },
  };
}

/** A shop reading a fresh all-off flags file of its own (`file`). */
export async function startFlaggedShop(): Promise<{ shop: Shop; file: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'shop-flags-')), 'flags.json');
  await resetFlags(file);
  const shop = await startShop({ config: { flags: { file } } });
  await shop.app.faultsReady;
  return { shop, file };
}
