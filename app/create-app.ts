// The app factory: builds the Express apps (API, and UI = static page + the same API) around
// one context, without listening. Tests and `smartshop serve` both start from here.
import express, { type Express, type Request, type Response, type NextFunction } from 'express';
import { pinoHttp } from 'pino-http';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DestinationStream, Logger } from 'pino';
import type { AppConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { createContext, type AppContext } from './context.ts';
import { isAccessDenied, loadMigrations, migrate } from './db/migrate.ts';
import { Database } from './db/database.ts';
import { purgeExpired } from './db/purge.ts';
import { requestId } from './http/request-context.ts';
import { observeHttp } from './http/observe.ts';
import { bodyGuard, verifyUtf8 } from '../shared/web/body-guard.ts';
import { siteGuard } from '../shared/web/site-guard.ts';
import { errorHandler, notFoundHandler } from './http/error-handler.ts';
import { healthRouter } from './routes/health.ts';
import { usersRouter } from './routes/users.ts';
import { ordersRouter } from './routes/orders.ts';
import { fulfilmentRouter } from './routes/fulfilment.ts';
import { productsRouter } from './routes/products.ts';
import { paymentsRouter } from './routes/payments.ts';
import { errorInjectionRouter } from './routes/error-injection.ts';
import { statsRouter } from './routes/stats.ts';
import { logsRouter } from './routes/logs.ts';
import { consoleLink } from './routes/console-link.ts';
import { slowResponses } from './flags/fault-errors.ts';

const UI_DIR = fileURLToPath(new URL('./ui/', import.meta.url));

export interface CreateAppOptions {
  /** Where pino writes (tests capture log lines here); default stdout. */
  logDestination?: DestinationStream;
  /** Random source for the payment outcome draw (tests may seed it). */
  random?: () => number;
}

export interface ShopApp {
  /** The API (also serves the UI under /ui). */
  api: Express;
  /** The UI listener's app: the page at / and the API under /api on the same origin. */
  ui: Express;
  ctx: AppContext;
  logger: Logger;
  metrics: Metrics;
  /** Applies migrations in the background, retrying until the database answers or close(). */
  startMigrations(): void;
  /** Resolves once migrations are applied; rejects after timeoutMs. */
  whenSchemaReady(timeoutMs?: number): Promise<void>;
  /** Resolves once the fault flags file has been read (at once when there is none). */
  faultsReady: Promise<void>;
  /** Stops the migration loop and closes the pool (after the listeners are drained). */
  close(): Promise<void>;
}

function staticUi(): express.RequestHandler {
  const serve = express.static(UI_DIR, { index: 'index.html', maxAge: 0 });
  return (req: Request, res: Response, next: NextFunction) => {
    // Only the page's assets: the folder also holds the UI's browser test.
    if (!/^\/([\w-]+\.(html|js|css|svg|ico))?$/.test(req.path)) {
      next();
      return;
    }
    res.locals.routeLabel = '/ui';
    serve(req, res, () => {
      delete res.locals.routeLabel;
      next();
    });
  };
}

export function createApp(config: AppConfig, options: CreateAppOptions = {}): ShopApp {
  const logger = createLogger(config.logLevel, options.logDestination);
  const metrics = createMetrics({ defaults: config.metricsEnabled });
  const ctx = createContext(config, logger, metrics, options.random);

  const api = express();
  api.disable('x-powered-by');
  api.set('etag', false);
  api.use(requestId);
  if (config.metricsEnabled) api.use(observeHttp(metrics));
  if (config.requestLogging) {
    api.use(
      pinoHttp({
        logger,
        genReqId: (req) => (req as Request).requestId,
        quietReqLogger: true, // every line of a request carries reqId, not the whole request
        customLogLevel: (_req, res, err) => (err !== undefined || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      }),
    );
  } else {
    api.use((req: Request, _res: Response, next: NextFunction) => {
      req.log = logger.child({ reqId: req.requestId });
      next();
    });
  }
  const guard = siteGuard(config.allowedHosts);
  api.use(guard);
  api.use(bodyGuard());
  api.use(express.json({ limit: config.bodyLimit, strict: true, verify: verifyUtf8 }));

  api.use(slowResponses(ctx));
  api.use(healthRouter(ctx));
  if (config.metricsEnabled) {
    api.get('/metrics', async (_req, res) => {
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  }
  api.use('/api/users', usersRouter(ctx));
  api.use('/api/products', productsRouter(ctx));
  api.use('/api/orders', ordersRouter(ctx));
  api.use('/api/payments', paymentsRouter(ctx));
  api.use('/api/errors', errorInjectionRouter(ctx));
  api.use('/api/stats', statsRouter(ctx));
  api.use('/api/fulfilment', fulfilmentRouter(ctx));
  api.use('/api/logs', logsRouter(ctx));
  api.get('/console', consoleLink(config.consoleUrl));
  api.use('/ui', staticUi());
  api.use(notFoundHandler);
  api.use(errorHandler(logger));

  const ui = express();
  ui.disable('x-powered-by');
  ui.use(requestId);
  ui.use(guard);
  ui.use(staticUi());
  ui.use(api);
  ui.use(errorHandler(logger));

  let closed = false;
  const stopping = new AbortController();
  const faultsReady = ctx.faults.start().catch((err: unknown) => {
    logger.error({ err, file: config.flags.file }, 'fault flags not read; every fault stays off');
  });
  let schemaReady: Promise<void> | undefined;

  // Expired keys and old stat buckets, in bounded batches; every replica purges, and a
  // batch two replicas race for is a conflict that the next round simply repeats.
  // A round that stopped with rows left goes again after a second, not a minute: the purge
  // keeps up with whatever keyed write rate the shop sustains.
  function startPurging(): void {
    const everyMs = config.purgeIntervalSeconds * 1000;
    if (everyMs === 0) return;
    void (async () => {
      let backlog = false;
      while (!closed) {
        await sleep(backlog ? 1_000 : everyMs * (0.5 + Math.random()), undefined, { signal: stopping.signal }).catch(() => undefined);
        if (closed) return;
        try {
          const purged = await purgeExpired(ctx.db);
          backlog = purged.backlog;
          metrics.oldestExpiredKey.set(purged.oldestExpiredSeconds);
          if (purged.keys + purged.buckets + purged.compacted > 0) logger.info(purged, 'purged expired idempotency keys and old stat buckets, folded finished minutes');
          if (purged.compactError) logger.warn({ err: purged.compactError }, 'folding finished stat minutes failed; the next round folds them');
        } catch (err) {
          backlog = false;
          logger.warn({ err }, 'purge failed; trying again next round');
        }
      }
    })();
  }

  // Migrations run with their own account (DDL), in a one-connection pool closed right
  // after; every request runs with the runtime account, which has DML only.
  async function withMigrationAccount<T>(fn: (db: Database) => Promise<T>): Promise<T> {
    const { migration } = config.db;
    if (migration === undefined || migration.user === config.db.user) return fn(ctx.db);
    const db = new Database({ ...config.db, ...migration, poolSize: 1 }, metrics, logger, false);
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  }

  function startMigrations(): void {
    if (schemaReady !== undefined) return;
    schemaReady = (async () => {
      const migrations = await loadMigrations();
      for (let attempt = 1; !closed; attempt++) {
        try {
          const applied = await withMigrationAccount((db) => migrate(db, migrations));
          ctx.state.schemaReady = true;
          logger.info({ applied, attempt }, 'database schema ready');
          startPurging();
          ctx.relay?.start();
          return;
        } catch (err) {
          const delayMs = Math.min(10_000, 500 * attempt);
          if (isAccessDenied(err)) {
            // retried all the same: the account may be granted while the shop waits
            const account = config.db.migration?.user ?? config.db.user;
            logger.error({ err, attempt, retryInMs: delayMs, account },
              `migrations refused: ${account} may not change the schema; set DB_MIGRATION_USER and DB_MIGRATION_PASSWORD to the migration account (docs/operations.md)`);
          } else {
            logger.warn({ err, attempt, retryInMs: delayMs }, 'migrations failed; database not reachable yet? retrying');
          }
          await sleep(delayMs, undefined, { signal: stopping.signal }).catch(() => undefined);
        }
      }
      throw new Error('app closed before the schema was ready');
    })();
    schemaReady.catch(() => undefined);
  }

  return {
    api,
    ui,
    ctx,
    logger,
    metrics,
    startMigrations,
    faultsReady,
    async whenSchemaReady(timeoutMs = 60_000) {
      startMigrations();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`database schema not ready after ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([schemaReady, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      closed = true;
      stopping.abort();
      await ctx.relay?.close();
      await ctx.faults.close();
      await ctx.db.close();
    },
  };
}
