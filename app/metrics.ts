// Every Prometheus metric the shop exposes (names are part of the shared contract).
// One registry per app instance, so several apps in one process (tests) never collide.
import { Registry, Counter, Gauge, Histogram, collectDefaultMetrics } from 'prom-client';

// Buckets for an API whose typical answer takes a few milliseconds and whose bad moments
// (Galera flow control, failover behind HAProxy) take seconds.
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const DB_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export interface PoolSnapshot {
  total: number;
  idle: number;
  inUse: number;
  queued: number;
}

export function createMetrics(options: { defaults: boolean; poolSnapshot?: () => PoolSnapshot | undefined }) {
  const registry = new Registry();
  const registers = [registry];
  if (options.defaults) {
    collectDefaultMetrics({ register: registry });
    // prom-client names these gauges *_total, which `promtool check metrics` rejects; the
    // same figures remain, by type, in nodejs_active_handles / _requests / _resources.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
      registry.removeSingleMetric(name);
    }
  }

  const httpLabels = ['method', 'route', 'status_code'] as const;
  let poolSnapshot = options.poolSnapshot;

  const metrics = {
    registry,
    httpRequests: new Counter({ name: 'http_requests_total', help: 'HTTP requests answered, by route template', labelNames: httpLabels, registers }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration in seconds, by route template',
      labelNames: httpLabels,
      buckets: HTTP_BUCKETS,
      registers,
    }),
    httpInFlight: new Gauge({ name: 'http_requests_in_flight', help: 'HTTP requests being served now', registers }),
    usersCreated: new Counter({ name: 'smartshop_users_created_total', help: 'Users created', registers }),
    logins: new Counter({ name: 'smartshop_logins_total', help: 'Successful logins', registers }),
    logouts: new Counter({ name: 'smartshop_logouts_total', help: 'Successful logouts', registers }),
    orderTransitions: new Counter({
      name: 'smartshop_order_transitions_total',
      help: 'Order status transitions; from="none" is a creation',
      labelNames: ['from', 'to'] as const,
      registers,
    }),
    payments: new Counter({ name: 'smartshop_payments_total', help: 'Payments recorded, by outcome', labelNames: ['outcome'] as const, registers }),
    revenue: new Counter({ name: 'smartshop_revenue_euros_total', help: 'Revenue of successful payments in euros', registers }),
    featureFlag: new Gauge({
      name: 'smartshop_feature_flag_value',
      help: 'Each fault flag as the shop evaluates it now (booleans 0/1, slowResponses its largest delay in ms; docs/chaos.md)',
      labelNames: ['flag'] as const,
      registers,
    }),
    flagsFileRefused: new Gauge({
      name: 'smartshop_feature_flags_file_refused',
      help: '1 while the last change of the flags file was refused (the previous flags stay; the shop log and the console say why)',
      registers,
    }),
    leakedBytes: new Gauge({ name: 'smartshop_fault_leaked_bytes', help: 'Memory kept by the memoryLeak fault flag', registers }),
    busySeconds: new Counter({ name: 'smartshop_fault_cpu_busy_seconds_total', help: 'Seconds the highCpu fault flag spent in its busy loop', registers }),
    oldestExpiredKey: new Gauge({
      name: 'smartshop_idempotency_oldest_expired_seconds',
      help: 'How long the oldest expired Idempotency-Key record has waited for the purge (0: none); growing means the purge falls behind',
      registers,
    }),
    heldConnections: new Gauge({ name: 'smartshop_fault_held_connections', help: 'Pool connections held idle by the dbPoolStarvation fault flag', registers }),
    injectedErrors: new Counter({ name: 'smartshop_injected_errors_total', help: 'Errors injected on purpose, by kind', labelNames: ['kind'] as const, registers }),
    dbPool: new Gauge({
      name: 'smartshop_db_pool_connections',
      help: 'Database pool connections by state (total, idle, in_use, queued requests)',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const snap = poolSnapshot?.();
        if (snap === undefined) return;
        this.set({ state: 'total' }, snap.total);
        this.set({ state: 'idle' }, snap.idle);
        this.set({ state: 'in_use' }, snap.inUse);
        this.set({ state: 'queued' }, snap.queued);
      },
    }),
    dbQueryDuration: new Histogram({
      name: 'smartshop_db_query_duration_seconds',
      help: 'Database operation duration in seconds (retries included), by operation',
      labelNames: ['operation'] as const,
      buckets: DB_BUCKETS,
      registers,
    }),
    dbErrors: new Counter({ name: 'smartshop_db_errors_total', help: 'Database errors, by error code', labelNames: ['code'] as const, registers }),
    dbRetries: new Counter({ name: 'smartshop_db_retries_total', help: 'Database operations retried after a transient error, by the error that caused the retry', labelNames: ['operation', 'cause'] as const, registers }),
    dbBackendQueries: new Counter({
      name: 'smartshop_db_backend_queries_total',
      help: 'Database operations by the server (@@hostname) that served them',
      labelNames: ['backend'] as const,
      registers,
    }),
    // The outbox relay (fulfilment/relay.ts, docs/fulfilment.md)
    outboxBacklog: new Gauge({ name: 'smartshop_outbox_backlog', help: 'Outbox events not yet confirmed by the broker', registers }),
    outboxOldest: new Gauge({ name: 'smartshop_outbox_oldest_seconds', help: 'Age of the oldest outbox event not yet confirmed by the broker (0: none)', registers }),
    relayLeader: new Gauge({ name: 'smartshop_relay_leader', help: '1 while this replica holds the outbox relay lease and publishes', registers }),
    relayPublished: new Counter({ name: 'smartshop_relay_published_total', help: 'Messages the relay published and the broker confirmed (queueOverload copies included)', registers }),
    relayConfirmDuration: new Histogram({
      name: 'smartshop_relay_confirm_duration_seconds',
      help: 'From publishing a batch to the broker confirming all of it',
      buckets: DB_BUCKETS,
      registers,
    }),
    relayErrors: new Counter({ name: 'smartshop_relay_errors_total', help: 'Relay failures, by stage (lease, read, publish, mark)', labelNames: ['stage'] as const, registers }),
    setPoolSnapshot(fn: () => PoolSnapshot | undefined): void {
      poolSnapshot = fn;
    },
  };
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
