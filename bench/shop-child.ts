// The shop as a child process of the bench (started by shop-process.ts): the real app
// (startServer) on a free 127.0.0.1 port, its own process and event loop, so that the load
// generator and the shop do not share one thread. Its log lines go to /dev/null: pino
// still formats and writes each one, as in production, and nothing floods the terminal.
// Reads its settings from BENCH_SHOP_SPEC; stops on SIGTERM or when the bench goes away.
import { pino } from 'pino';
import { loadConfig, type AppConfig } from '../app/config.ts';
import { startServer, type RunningServer } from '../app/server.ts';
import type { ShopSpec } from './shop-process.ts';

const READY = 'BENCH_SHOP_READY';
const FAILED = 'BENCH_SHOP_FAILED';

let server: RunningServer | undefined;
let stopping = false;

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const hard = setTimeout(() => process.exit(code), 5_000);
  hard.unref();
  await server?.close(2_000).catch(() => undefined);
  process.exit(code);
}

process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));
// the bench holds our stdin open; when it exits (even killed), stdin ends and so do we
process.stdin.on('end', () => void stop(0));
process.stdin.on('error', () => void stop(0));
process.stdin.resume();

try {
  const spec = JSON.parse(process.env.BENCH_SHOP_SPEC ?? '') as ShopSpec;
  const base = loadConfig({});
  const config: AppConfig = {
    ...base,
    host: '127.0.0.1',
    port: 0,
    uiPort: null,
    errorInjectionEnabled: spec.errorInjection,
    metricsEnabled: spec.metricsEnabled,
    requestLogging: spec.requestLogging,
    logLevel: spec.logLevel,
    db: { ...base.db, ...spec.db },
  };
  const destination = pino.destination({ dest: '/dev/null', sync: false });
  server = await startServer(config, { logDestination: destination });
  if (spec.waitForSchema) await server.app.whenSchemaReady(60_000);
  process.stdout.write(`${READY} ${server.apiUrl}\n`);
} catch (err) {
  process.stdout.write(`${FAILED} ${(err as Error).message.replace(/\n/g, ' ')}\n`);
  await stop(1);
}
