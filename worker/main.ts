// A fulfilment worker (docs/fulfilment.md): consumes the fulfilment queue and ships paid
// orders, one transaction per message. Its own process and container (compose runs
// WORKER_REPLICAS of them); metrics and health on WORKER_METRICS_PORT (default 9101).
// Env: the shop's DB_* settings, RABBITMQ_HOSTS / RABBITMQ_USER (worker) / RABBITMQ_PASSWORD,
// WORKER_PREFETCH (default 5), WORKER_NAME (default the host name), FLAGS_FILE, LOG_LEVEL,
// WORKER_ACK (after-commit; before-commit is the broken order the worker-crash drill's test runs).
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { loadConfig } from '../app/config.ts';
import { createLogger } from '../app/logger.ts';
import { Database } from '../app/db/database.ts';
import { brokerConfig } from '../shared/broker.ts';
import { ConfigError, int, str } from '../shared/env.ts';
import { FulfilmentConsumer } from './consumer.ts';
import { WorkerFlags } from './flags.ts';
import { createWorkerMetrics } from './metrics.ts';

type Env = Record<string, string | undefined>;

export interface RunningWorker {
  consumer: FulfilmentConsumer;
  metricsUrl: string;
  close(): Promise<void>;
}

export async function startWorker(env: Env = process.env, logger?: Logger): Promise<RunningWorker> {
  const app = loadConfig(env);
  const broker = brokerConfig(env, 'worker');
  if (broker === undefined) throw new ConfigError('RABBITMQ_HOSTS is not set: the worker needs the broker nodes (e.g. rabbitmq-1,rabbitmq-2,rabbitmq-3)');
  const log = logger ?? createLogger(app.logLevel, undefined, 'smartshop-worker');
  const metrics = createWorkerMetrics();
  const db = new Database(app.db, metrics, log);
  const flags = new WorkerFlags(app.flags.file, log);
  await flags.start().catch((err: unknown) => log.error({ err, file: app.flags.file }, 'fault flags not read; every fault stays off'));
  const name = str(env, 'WORKER_NAME', hostname());
  const ack = str(env, 'WORKER_ACK', 'after-commit');
  if (ack !== 'after-commit' && ack !== 'before-commit') throw new ConfigError(`WORKER_ACK=${ack} is not after-commit or before-commit`);
  if (ack === 'before-commit') log.warn('WORKER_ACK=before-commit: messages are acked BEFORE their transaction commits; a crash in between loses them (the worker-crash drill\'s own test only)');
  if (broker.queueType === 'classic') log.warn('FULFILMENT_QUEUE_TYPE=classic: the fulfilment queue has ONE copy, on its home node (a drill\'s own test only)');
  const consumer = new FulfilmentConsumer(db, broker, flags, metrics, log, { name, prefetch: int(env, 'WORKER_PREFETCH', 5, 1, 1000), ackBeforeCommit: ack === 'before-commit' });
  consumer.start();

  const server: Server = createServer((req, res) => {
    if (req.url === '/metrics') {
      metrics.registry.metrics().then((body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body), () => res.writeHead(500).end());
    } else if (req.url === '/health') {
      res.writeHead(consumer.consuming ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ consuming: consumer.consuming }));
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not_found' }));
    }
  });
  const port = int(env, 'WORKER_METRICS_PORT', 9101, 0, 65535);
  await new Promise<void>((resolve) => server.listen(port, str(env, 'HOST', '127.0.0.1'), resolve));
  const address = server.address();
  const metricsUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : port}`;
  log.info({ name, brokers: broker.hosts, metrics: metricsUrl }, 'fulfilment worker started');
  let closing: Promise<void> | undefined;
  return {
    consumer,
    metricsUrl,
    close() {
      closing ??= (async () => {
        await consumer.close();
        await flags.close();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await db.close();
      })();
      return closing;
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  startWorker().then((worker) => {
    const stop = (): void => {
      worker.close().then(() => process.exit(0), () => process.exit(1));
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  }, (err: unknown) => {
    console.error(`smartshop worker: ${err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err)}`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  });
}
