// The client's view as Prometheus metrics, in a Registry of its own (never the global one,
// so a chaos drill or a test running the app in the same process cannot collide), served
// on its own port while a run lasts so Grafana can plot it beside the server's view.
import { Counter, Histogram, Registry } from 'prom-client';

export class SimulatorMetrics {
  readonly registry = new Registry();
  readonly requestDuration = new Histogram({
    name: 'simulator_request_duration_seconds',
    help: 'Latency seen by the simulator, per endpoint (route template)',
    labelNames: ['endpoint'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly requestsTotal = new Counter({
    name: 'simulator_requests_total',
    help: 'Requests sent by the simulator, by endpoint and outcome (HTTP status code, "limited" for the edge\'s rate limit, "timeout" or "error")',
    labelNames: ['endpoint', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly paymentsTotal = new Counter({
    name: 'simulator_payments_total',
    help: 'Payments acknowledged by the shop, by outcome (success or failed)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly fulfilmentLag = new Histogram({
    name: 'simulator_fulfilment_lag_seconds',
    help: 'Paid to shipped, as the shop reports it, for the paid orders a journey waited on',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });
  readonly fulfilmentWaits = new Counter({
    name: 'simulator_fulfilment_waits_total',
    help: 'Paid orders a journey waited on, by outcome: fulfilled, or timeout (not shipped within the bound)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly journeysTotal = new Counter({
    name: 'simulator_journeys_total',
    help: 'Journeys by result: completed, failed (a step got no 2xx), limited (a step stayed refused by the edge), dropped (concurrency cap reached), stopped',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
}
