// One simulation run: arrivals (open model at a rate, or closed loop as fast as the
// concurrency cap allows), journeys, counting, the metrics endpoint, the ledger.
// Arrivals that find the cap reached are dropped and counted, never queued: a queue
// would hide the shop's slowness behind the simulator's own backlog.
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpClient } from '../../shared/http-client.ts';
import { ArrivalSchedule, type ArrivalKind, type Stage } from './arrivals.ts';
import { defaultMix, planJourney, type JourneyMix } from './journey-plan.ts';
import { runJourney, send, type JourneyContext } from './journey-runner.ts';
import { Ledger, type LedgerCounts } from './ledger.ts';
import { SimulatorMetrics } from './metrics.ts';
import { serveToolMetrics } from '../../shared/tool-metrics.ts';
import { Prng } from './prng.ts';
import { RunStats, type StatsSnapshot } from './stats.ts';

export interface RunOptions {
  /** base URL of the shop API, e.g. http://127.0.0.1:8000 */
  target: string;
  /** journeys per second (open model); undefined = closed loop, as fast as `concurrency` allows */
  rate?: number;
  /** journeys in flight at most; default 50 */
  concurrency?: number;
  /** stop starting journeys after this long; undefined = until cycles or stop() */
  durationSeconds?: number;
  /** stop after this many journeys have started */
  cycles?: number;
  rampUpSeconds?: number;
  rampDownSeconds?: number;
  /** the rate follows these stages instead of the ramps (a load-test profile, simulator/profiles.ts) */
  stages?: Stage[];
  /** the rate before the first stage moves it (default 0) */
  startRate?: number;
  /** uniform (default: the rate is held exactly) or poisson inter-arrival times */
  arrival?: ArrivalKind;
  /** same seed, same journeys; default: random (reported in the summary) */
  seed?: number;
  mix?: Partial<JourneyMix>;
  /** per request; default 10 s */
  timeoutMs?: number;
  /** extra attempts after a timeout, connection error or 503; default 2 */
  retries?: number;
  backoffMs?: number;
  /** longest pause between two attempts of one request; default 2000 ms */
  maxBackoffMs?: number;
  /** keep every keyed 2xx answer with its request in the ledger (drills re-send them) */
  recordAnswers?: boolean;
  /** also GET /api/stats every this many seconds, besides the journeys (a dashboard open somewhere); 0 = off (default) */
  backgroundStatsSeconds?: number;
  /** serve simulator metrics on this port while running; 0 or undefined = off */
  metricsPort?: number;
  metricsHost?: string;
  /** also serve them on this unix socket, for Prometheus (the CLI passes the lab's: stack/config.ts toolSocket) */
  metricsSocket?: string;
  /** keep every acknowledged write for ledger.export() (default true); false = counts only */
  keepLedger?: boolean;
  /** keep every request's start, latency and outcome in stats.samples (the drills' charts) */
  keepSamples?: boolean;
  /** a label for the summary: continuous, intensive, demo ... */
  mode?: string;
  /** aborting it is the same as stop() */
  signal?: AbortSignal;
  /** read at every arrival of the open model: journeys started per arrival (the
   * loadGeneratorFlood fault flag, simulator/flood.ts); default 1 */
  rateMultiplier?: () => number;
}

const FLOOD_INDEX_BASE = 1_000_000_000;

export type StopReason = 'duration' | 'cycles' | 'stopped' | 'aborted';

export interface RunSummary extends StatsSnapshot {
  mode: string | null;
  target: string;
  seed: number;
  startedAt: string;
  endedAt: string | null;
  elapsedSeconds: number;
  /** null while the run is still going */
  stopReason: StopReason | null;
  config: {
    rate: number | null;
    concurrency: number;
    durationSeconds: number | null;
    cycles: number | null;
    rampUpSeconds: number;
    rampDownSeconds: number;
    arrival: ArrivalKind;
    timeoutMs: number;
    retries: number;
    backgroundStatsSeconds: number;
    mix: JourneyMix;
  };
  arrivals: { scheduled: number; started: number; dropped: number };
  /** success / (success + failed) of acknowledged payments; null when none */
  paymentSuccessShare: number | null;
  throughput: { journeysPerSecond: number; requestsPerSecond: number };
  ledger: LedgerCounts;
  metricsPort: number | null;
  warnings: string[];
}

export class SimulationRun {
  readonly ledger: Ledger;
  readonly stats: RunStats;
  readonly metrics = new SimulatorMetrics();
  readonly seed: number;
  /** resolves when the run has ended and in-flight journeys are settled; never rejects */
  readonly done: Promise<RunSummary>;
  private readonly stopCtl = new AbortController();
  private readonly hardCtl = new AbortController();
  /** aborted when the run has ended (stops the background reader) */
  private readonly finished = new AbortController();
  private readonly startedAt = new Date();
  private readonly t0 = performance.now();
  private endedAt: Date | null = null;
  private stopReason: StopReason | null = null;
  private scheduled = 0;
  private dropped = 0;
  private flooded = 0;
  private readonly floodPrng: Prng;
  private boundMetricsPort: number | null = null;
  private readonly warnings: string[] = [];
  private readonly opts: Required<Omit<RunOptions, 'rate' | 'durationSeconds' | 'cycles' | 'signal' | 'mix' | 'metricsHost' | 'metricsSocket' | 'keepLedger' | 'keepSamples' | 'recordAnswers' | 'rateMultiplier' | 'stages' | 'startRate'>> & {
    mix: JourneyMix;
  };

  constructor(private readonly options: RunOptions) {
    this.seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
    this.floodPrng = new Prng(this.seed ^ 0xf100d);
    this.opts = {
      target: options.target,
      concurrency: options.concurrency ?? 50,
      rampUpSeconds: options.rampUpSeconds ?? 0,
      rampDownSeconds: options.rampDownSeconds ?? 0,
      arrival: options.arrival ?? 'uniform',
      seed: this.seed,
      mix: { ...defaultMix, ...options.mix },
      timeoutMs: options.timeoutMs ?? 10_000,
      retries: options.retries ?? 2,
      backoffMs: options.backoffMs ?? 100,
      maxBackoffMs: options.maxBackoffMs ?? 2_000,
      metricsPort: options.metricsPort ?? 0,
      backgroundStatsSeconds: options.backgroundStatsSeconds ?? 0,
      mode: options.mode ?? '',
    };
    // every in-flight journey listens on the shared hard-stop signal (its request and its
    // back-off sleep): up to 2 listeners per journey is by design, not a leak
    setMaxListeners(Math.max(10, this.opts.concurrency * 2 + 10), this.hardCtl.signal);
    this.ledger = new Ledger(options.target, this.startedAt.toISOString(), options.keepLedger ?? true, options.recordAnswers ?? false);
    this.stats = new RunStats(this.metrics, options.keepSamples ?? false);
    options.signal?.addEventListener('abort', () => this.stop(), { once: true });
    if (options.signal?.aborted) this.stop();
    this.done = this.execute();
  }

  /** stop starting journeys; in-flight journeys end after their current request */
  stop(): void {
    this.stopReason ??= 'stopped';
    this.stopCtl.abort();
  }

  /** stop now: in-flight requests are abandoned (their writes land in ledger.uncertain) */
  abort(): void {
    this.stopReason = 'aborted';
    this.stopCtl.abort();
    this.hardCtl.abort();
  }

  get stopping(): boolean {
    return this.stopCtl.signal.aborted;
  }

  snapshot(): RunSummary {
    const stats = this.stats.snapshot();
    const end = this.endedAt ? this.endedAt.getTime() - this.startedAt.getTime() : performance.now() - this.t0;
    const elapsedSeconds = end / 1000;
    const paid = stats.payments.success + stats.payments.failed;
    const o = this.opts;
    return {
      mode: o.mode || null,
      target: o.target,
      seed: this.seed,
      startedAt: this.startedAt.toISOString(),
      endedAt: this.endedAt?.toISOString() ?? null,
      elapsedSeconds,
      stopReason: this.endedAt ? this.stopReason : null,
      config: {
        rate: this.options.rate ?? null,
        concurrency: o.concurrency,
        durationSeconds: this.options.durationSeconds ?? null,
        cycles: this.options.cycles ?? null,
        rampUpSeconds: o.rampUpSeconds,
        rampDownSeconds: o.rampDownSeconds,
        arrival: o.arrival,
        timeoutMs: o.timeoutMs,
        retries: o.retries,
        backgroundStatsSeconds: o.backgroundStatsSeconds,
        mix: o.mix,
      },
      arrivals: { scheduled: this.scheduled, started: stats.journeys.started, dropped: this.dropped },
      paymentSuccessShare: paid === 0 ? null : stats.payments.success / paid,
      throughput: {
        journeysPerSecond: elapsedSeconds > 0 ? (stats.journeys.completed + stats.journeys.failed) / elapsedSeconds : 0,
        requestsPerSecond: elapsedSeconds > 0 ? stats.requests.total / elapsedSeconds : 0,
      },
      ledger: this.ledger.counts(),
      metricsPort: this.boundMetricsPort,
      warnings: [...this.warnings],
      ...stats,
    };
  }

  private async execute(): Promise<RunSummary> {
    let closeMetrics: (() => Promise<void>) | undefined;
    if (this.opts.metricsPort > 0) {
      // a busy port must not cost the user their run: serveToolMetrics only warns
      const served = await serveToolMetrics(this.metrics.registry, { port: this.opts.metricsPort, host: this.options.metricsHost, socketPath: this.options.metricsSocket });
      this.boundMetricsPort = served.port ?? null;
      this.warnings.push(...served.warnings);
      closeMetrics = () => served.close();
    }
    const http = new HttpClient({ baseUrl: this.opts.target, timeoutMs: this.opts.timeoutMs });
    const ctx: JourneyContext = {
      http,
      stats: this.stats,
      ledger: this.ledger,
      retries: this.opts.retries,
      backoffMs: this.opts.backoffMs,
      maxBackoffMs: this.opts.maxBackoffMs,
      isStopping: () => this.stopping,
      signal: this.hardCtl.signal,
    };
    const inFlight = new Set<Promise<void>>();
    // Behind the edge every journey is a client of its own (a person at their browser), and the
    // flood's journeys are one client: a misbehaving load generator, which the edge must limit.
    const clientPrefix = `sim-${this.seed.toString(36)}`;
    const launch = (index: number): Promise<void> => {
      this.stats.journeyStarted();
      // a flood does not wait when refused (a runaway client): its journeys end at once, limited
      const flood = index >= FLOOD_INDEX_BASE;
      const client = flood ? `${clientPrefix}-flood` : `${clientPrefix}-${index}`;
      const journey: JourneyContext = { ...ctx, client, pace: { until: 0 }, limitedSeen: { count: 0 }, ...(flood ? { limitedAttempts: 0 } : {}) };
      const p = runJourney(planJourney(this.seed, index, this.opts.mix), journey)
        .catch(() => 'failed' as const) // runJourney does not throw; belt and braces for a long-running process
        .then((result) => {
          this.stats.recordJourney(result);
          inFlight.delete(p);
        });
      inFlight.add(p);
      return p;
    };
    const background = this.backgroundStats(ctx);
    try {
      const reason = this.options.rate === undefined ? await this.closedLoop(launch) : await this.openLoop(this.options.rate, launch, inFlight);
      this.stopReason ??= reason;
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    } finally {
      this.finished.abort();
      await background;
      this.endedAt = new Date();
      await closeMetrics?.();
    }
    return this.snapshot();
  }

  private async openLoop(rate: number, launch: (index: number) => Promise<void>, inFlight: Set<Promise<void>>): Promise<StopReason> {
    const duration = this.options.durationSeconds;
    const schedule = new ArrivalSchedule(
      { rate, rampUpSeconds: this.opts.rampUpSeconds, rampDownSeconds: this.opts.rampDownSeconds, durationSeconds: duration, ...(this.options.stages ? { stages: this.options.stages, startRate: this.options.startRate ?? 0 } : {}) },
      this.opts.arrival,
      new Prng(this.seed ^ 0x5eed),
    );
    for (let index = 0; ; index++) {
      if (this.options.cycles !== undefined && this.scheduled - this.dropped >= this.options.cycles) return 'cycles';
      const at = schedule.next();
      if (at === undefined || (duration !== undefined && at >= duration)) {
        // wait out the end of the run so that `duration` means wall-clock length
        if (duration !== undefined) await this.sleepUntil(duration);
        return this.stopping ? 'stopped' : 'duration';
      }
      await this.sleepUntil(at);
      if (this.stopping) return 'stopped';
      this.scheduled++;
      if (inFlight.size >= this.opts.concurrency) {
        this.dropped++;
        this.stats.recordJourney('dropped');
        continue;
      }
      void launch(index);
      // a flood: more journeys per arrival, each its own plan (indices far above the schedule's)
      const extra = this.floodExtra();
      for (let k = 0; k < extra && inFlight.size < this.opts.concurrency; k++) {
        this.scheduled++;
        void launch(FLOOD_INDEX_BASE + this.flooded++);
      }
    }
  }

  /** Extra journeys for this arrival: the multiplier's whole part minus one, plus its fraction drawn. */
  private floodExtra(): number {
    const m = this.options.rateMultiplier?.() ?? 1;
    if (!(m > 1)) return 0;
    const whole = Math.floor(m);
    return whole - 1 + (this.floodPrng.next() < m - whole ? 1 : 0);
  }

  private async closedLoop(launch: (index: number) => Promise<void>): Promise<StopReason> {
    const duration = this.options.durationSeconds;
    const cycles = this.options.cycles;
    let next = 0;
    let durationOver = false;
    // the end of the duration stops new journeys only; those in flight complete normally
    const timer = duration === undefined ? undefined : setTimeout(() => (durationOver = true), duration * 1000);
    const worker = async (): Promise<void> => {
      while (!this.stopping && !durationOver && (cycles === undefined || next < cycles)) {
        const index = next++;
        this.scheduled++;
        await launch(index);
      }
    };
    await Promise.all(Array.from({ length: this.opts.concurrency }, worker));
    clearTimeout(timer);
    if (this.stopping) return 'stopped';
    return durationOver ? 'duration' : 'cycles';
  }

  private async backgroundStats(ctx: JourneyContext): Promise<void> {
    const every = this.opts.backgroundStatsSeconds * 1000;
    if (!(every > 0)) return;
    const signal = AbortSignal.any([this.stopCtl.signal, this.finished.signal]);
    while (!signal.aborted) {
      await sleep(every, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      await send(ctx, 'GET /api/stats', '/api/stats', { retry: false });
    }
  }

  private async sleepUntil(secondsSinceStart: number): Promise<void> {
    const wait = this.t0 + secondsSinceStart * 1000 - performance.now();
    if (wait > 0) await sleep(wait, undefined, { signal: this.stopCtl.signal }).catch(() => undefined);
  }
}

/** Start a run; await `run.done` for the summary. */
export function startRun(options: RunOptions): SimulationRun {
  return new SimulationRun(options);
}

/** Run to the end and return the summary. */
export function runSimulation(options: RunOptions): Promise<RunSummary> {
  return startRun(options).done;
}
