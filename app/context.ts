// What route handlers share: config, logger, metrics, the database and its repositories,
// and whether the schema is in place yet (the app starts before the database answers).
import type { Logger } from 'pino';
import { createWriter, type Writer } from './http/idempotency.ts';
import type { AppConfig } from './config.ts';
import type { Metrics } from './metrics.ts';
import { Database } from './db/database.ts';
import { DbNotReadyError } from './db/db-errors.ts';
import { UsersRepository } from './db/users-repository.ts';
import { OrdersRepository } from './db/orders-repository.ts';
import { ProductsRepository } from './db/products-repository.ts';
import { StatsRepository } from './db/stats-repository.ts';
import { Faults } from './flags/faults.ts';
import { OutboxRelay } from './fulfilment/relay.ts';

export interface AppContext {
  config: AppConfig;
  logger: Logger;
  metrics: Metrics;
  db: Database;
  users: UsersRepository;
  orders: OrdersRepository;
  products: ProductsRepository;
  stats: StatsRepository;
  state: { schemaReady: boolean };
  /** the fault flags as the shop evaluates them now (flags/faults.ts) */
  faults: Faults;
  /** the outbox relay, when a broker is configured (fulfilment/relay.ts) */
  relay: OutboxRelay | undefined;
  /** A write route: one transaction with its Idempotency-Key record (http/idempotency.ts). */
  write: Writer;
  /** Throws DbNotReadyError (→ 503) until migrations have been applied. */
  requireSchema(): void;
  /** Wakes the outbox relay after a paid order's commit (no-op without a broker). */
  outboxWritten(): void;
  /** Draws a payment outcome with the configured success ratio. */
  drawPaymentOutcome(): 'success' | 'failed';
  /** Whether the paymentFailure flag fails this payment, whatever the client asked for. */
  forcedPaymentFailure(): boolean;
}

export function createContext(config: AppConfig, logger: Logger, metrics: Metrics, random: () => number = Math.random): AppContext {
  const db = new Database(config.db, metrics, logger);
  const state = { schemaReady: false };
  const faults = new Faults(config.flags.file, db, metrics, logger);
  const relay = config.broker === undefined ? undefined : new OutboxRelay(db, config.broker, metrics, logger, {
    copies: () => faults.values.queueOverload,
    crashAfterConfirm: () => faults.values.relayCrash,
    markBeforeConfirm: config.relayMark === 'before-confirm',
  });
  if (config.broker?.queueType === 'classic') logger.warn('FULFILMENT_QUEUE_TYPE=classic: the fulfilment queue has ONE copy, on its home node; that node down, what is routed to it is returned (a drill\'s own test only)');
  if (config.relayMark === 'before-confirm') logger.warn('RELAY_MARK=before-confirm: outbox rows are marked published WITHOUT the broker\'s confirm; messages the broker never got are lost (the rabbitmq-partition drill\'s own test only)');
  return {
    config,
    logger,
    metrics,
    db,
    users: new UsersRepository(db),
    orders: new OrdersRepository(db),
    products: new ProductsRepository(db),
    stats: new StatsRepository(db),
    state,
    faults,
    relay,
    write: createWriter(db, config.idempotency, () => state.schemaReady),
    requireSchema() {
      if (!state.schemaReady) throw new DbNotReadyError();
    },
    outboxWritten() {
      relay?.kick();
    },
    drawPaymentOutcome() {
      return random() < config.paymentSuccessRatio ? 'success' : 'failed';
    },
    forcedPaymentFailure() {
      const share = this.faults.paymentFailure;
      return share > 0 && random() < share;
    },
  };
}
