// Counts of what the client saw during a run, kept twice on purpose: in plain numbers and
// our own percentile histograms (for the summary and the live line), and in the run's
// prom-client metrics (for Prometheus while the run lasts).
import type { HttpOutcome } from '../../shared/http-client.ts';
import { isRateLimited } from '../../shared/rate-limit.ts';
import { LatencyHistogram, type Percentiles } from './histogram.ts';
import type { SimulatorMetrics } from './metrics.ts';

/** limited: a step stayed refused by the edge's rate limit (docs/edge.md), not a failure of the shop */
export type JourneyResult = 'completed' | 'failed' | 'limited' | 'dropped' | 'stopped';

interface EndpointStats {
  requests: number;
  /** by HTTP status code, "timeout" or "error" */
  outcomes: Record<string, number>;
  latency: Percentiles;
}

export interface StatsSnapshot {
  requests: {
    total: number;
    byOutcome: Record<string, number>;
    byClass: { '2xx': number; '3xx': number; '4xx': number; '5xx': number };
    timeouts: number;
    connectionErrors: number;
    /** the error codes behind connectionErrors: ECONNREFUSED, ECONNRESET ... */
    errorCodes: Record<string, number>;
    /** attempts that were retries of an earlier attempt (also counted in total) */
    retries: number;
    /** refused by the edge's rate limit (429 with its problem type): in total, in no class */
    limited: number;
  };
  latency: Percentiles;
  endpoints: Record<string, EndpointStats>;
  journeys: Record<JourneyResult, number> & { started: number };
  payments: { success: number; failed: number };
  /** paid orders waited on until shipped: how many were, and the lag (paid → shipped) of those that were */
  fulfilment: { waited: number; fulfilled: number; timedOut: number; lag: Percentiles };
  injectedErrors: { sent: number; byKind: Record<string, number> };
  /** true once any request got an HTTP response */
  reachable: boolean;
}

/** the status code, "limited" (the edge's 429), "timeout" or "error" */
function outcomeLabel(outcome: HttpOutcome): string {
  if (isRateLimited(outcome)) return 'limited';
  if (outcome.kind === 'response') return String(outcome.status);
  return outcome.kind;
}

/** One client request as the drills' charts draw it: when it started, how long it took, how it ended. */
export interface RequestSample {
  /** epoch ms at which the request started */
  at: number;
  ms: number;
  endpoint: string;
  /** the status code, or timeout / error */
  outcome: string;
  /** the name the request gave the edge (X-SmartShop-Client), when it gave one */
  client?: string;
}

/**
 * More than a drill makes (10 journeys/s for minutes): the memory of a long soak stays
 * bounded. Past it, errors are still kept (they are what a chart must show) up to twice as
 * many; other requests are counted in samplesDropped.
 */
const MAX_SAMPLES = 200_000;

export class RunStats {
  /** every request, when asked for (the drills draw them); undefined otherwise */
  readonly samples: RequestSample[] | undefined;
  /** requests not kept in samples because the cap was reached */
  samplesDropped = 0;

  private readonly overall = new LatencyHistogram();
  private readonly perEndpoint = new Map<string, { hist: LatencyHistogram; outcomes: Map<string, number> }>();
  private readonly byOutcome = new Map<string, number>();
  private readonly errorCodes = new Map<string, number>();
  private readonly injected = new Map<string, number>();
  private total = 0;
  private retries = 0;
  private reachable = false;
  private readonly journeys: Record<JourneyResult, number> & { started: number } = { started: 0, completed: 0, failed: 0, limited: 0, dropped: 0, stopped: 0 };
  private readonly payments = { success: 0, failed: 0 };
  private readonly fulfilmentLag = new LatencyHistogram();
  private readonly fulfilment = { waited: 0, fulfilled: 0, timedOut: 0 };

  constructor(private readonly metrics?: SimulatorMetrics, keepSamples = false) {
    this.samples = keepSamples ? [] : undefined;
  }

  recordRequest(endpoint: string, outcome: HttpOutcome, isRetry: boolean, client?: string): void {
    const label = outcomeLabel(outcome);
    const seconds = outcome.durationMs / 1000;
    this.total++;
    if (this.samples !== undefined) {
      const isError = outcome.kind !== 'response' || outcome.status >= 500;
      if (this.samples.length < (isError ? 2 * MAX_SAMPLES : MAX_SAMPLES)) this.samples.push({ at: Date.now() - outcome.durationMs, ms: outcome.durationMs, endpoint, outcome: label, ...(client === undefined ? {} : { client }) });
      else this.samplesDropped++;
    }
    if (isRetry) this.retries++;
    if (outcome.kind === 'response') this.reachable = true;
    if (outcome.kind === 'error') inc(this.errorCodes, outcome.code);
    inc(this.byOutcome, label);
    this.overall.record(seconds);
    let ep = this.perEndpoint.get(endpoint);
    if (!ep) {
      ep = { hist: new LatencyHistogram(), outcomes: new Map() };
      this.perEndpoint.set(endpoint, ep);
    }
    ep.hist.record(seconds);
    inc(ep.outcomes, label);
    this.metrics?.requestDuration.observe({ endpoint }, seconds);
    this.metrics?.requestsTotal.inc({ endpoint, outcome: label });
  }

  recordInjected(kind: string): void {
    inc(this.injected, kind);
  }

  recordPayment(outcome: 'success' | 'failed'): void {
    this.payments[outcome]++;
    this.metrics?.paymentsTotal.inc({ outcome });
  }

  journeyStarted(): void {
    this.journeys.started++;
  }

  recordJourney(result: JourneyResult): void {
    this.journeys[result]++;
    this.metrics?.journeysTotal.inc({ result });
  }

  /** a paid order waited on: shipped after `lagSeconds`, or not within the bound (undefined) */
  recordFulfilment(lagSeconds: number | undefined): void {
    this.fulfilment.waited++;
    if (lagSeconds === undefined) {
      this.fulfilment.timedOut++;
      this.metrics?.fulfilmentWaits.inc({ outcome: 'timeout' });
      return;
    }
    this.fulfilment.fulfilled++;
    this.fulfilmentLag.record(lagSeconds);
    this.metrics?.fulfilmentWaits.inc({ outcome: 'fulfilled' });
    this.metrics?.fulfilmentLag.observe(lagSeconds);
  }

  /** a latency quantile in seconds, overall or for one endpoint; undefined without a request */
  quantile(endpoint: string | undefined, q: number): number | undefined {
    const hist = endpoint === undefined ? this.overall : this.perEndpoint.get(endpoint)?.hist;
    return hist && hist.count > 0 ? hist.quantile(q) : undefined;
  }

  snapshot(): StatsSnapshot {
    const byClass = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
    for (const [label, n] of this.byOutcome) {
      const cls = `${label[0] ?? ''}xx`;
      if (/^\d{3}$/.test(label) && cls in byClass) byClass[cls as keyof typeof byClass] += n;
    }
    const endpoints: Record<string, EndpointStats> = {};
    for (const [name, ep] of [...this.perEndpoint].sort(([a], [b]) => a.localeCompare(b))) {
      endpoints[name] = { requests: ep.hist.count, outcomes: Object.fromEntries(ep.outcomes), latency: ep.hist.percentiles() };
    }
    const connectionErrors = this.byOutcome.get('error') ?? 0;
    return {
      requests: {
        total: this.total,
        byOutcome: Object.fromEntries([...this.byOutcome].sort(([a], [b]) => a.localeCompare(b))),
        byClass,
        timeouts: this.byOutcome.get('timeout') ?? 0,
        connectionErrors,
        errorCodes: Object.fromEntries(this.errorCodes),
        retries: this.retries,
        limited: this.byOutcome.get('limited') ?? 0,
      },
      latency: this.overall.percentiles(),
      endpoints,
      journeys: { ...this.journeys },
      payments: { ...this.payments },
      fulfilment: { ...this.fulfilment, lag: this.fulfilmentLag.percentiles() },
      injectedErrors: { sent: sum(this.injected), byKind: Object.fromEntries(this.injected) },
      reachable: this.reachable,
    };
  }
}

function inc(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function sum(map: Map<string, number>): number {
  let n = 0;
  for (const v of map.values()) n += v;
  return n;
}
