// The worker's own metrics (docs/fulfilment.md), beside the shop's database metrics that its
// Database records (the same names, job="worker" in Prometheus).
import { Counter, Gauge, Histogram } from 'prom-client';
import { createMetrics } from '../app/metrics.ts';

// End-to-end lag, paid → fulfilled: under a second in a healthy lab, tens of seconds in a drill.
const LAG_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const HANDLE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createWorkerMetrics() {
  const base = createMetrics({ defaults: true });
  const registers = [base.registry];
  return {
    ...base,
    messages: new Counter({
      name: 'smartshop_worker_messages_total',
      help: 'Messages handled, by outcome (applied, duplicate: acked and skipped, not_paid, invalid, injected_failure, db_error: returned)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    handleDuration: new Histogram({ name: 'smartshop_worker_handle_duration_seconds', help: 'Handling of one message, from delivery to ack or return', buckets: HANDLE_BUCKETS, registers }),
    lag: new Histogram({ name: 'smartshop_fulfilment_lag_seconds', help: 'From the commit that made an order paid to the commit of its shipment', buckets: LAG_BUCKETS, registers }),
    inFlight: new Gauge({ name: 'smartshop_worker_in_flight', help: 'Messages delivered to this worker and not yet acked or returned', registers }),
    connected: new Gauge({ name: 'smartshop_worker_connected', help: '1 while this worker is connected to RabbitMQ and consuming', registers }),
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
