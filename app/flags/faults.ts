// The shop's faults, switched by the lab's flags at run time. Flags are evaluated through
// OpenFeature (one client per app, its own domain, so tests can run several shops in one
// process) whenever the provider reports a change; requests then read the snapshot
// synchronously. The faults that are not per request (a busy loop, a leak, held pool
// connections) are started and stopped here when their flag changes, each bounded.
import { NOOP_PROVIDER, OpenFeature, ProviderEvents, type Client } from '@openfeature/server-sdk';
import type { Logger } from 'pino';
import type { PoolConnection } from 'mysql2/promise';
import { FLAG_LIMITS, FLAG_NAMES, FLAGS, flagNumber, flagsOff, isOn, type FlagName, type FlagValue, type FlagValues } from '../../shared/feature-flags/catalog.ts';
import type { Metrics } from '../metrics.ts';
import type { Database } from '../db/database.ts';
import { FlagFileProvider } from './file-provider.ts';

let domains = 0;
const CPU_SLICE_MS = 100;
const LEAK_TICK_MS = 1_000;

export class Faults {
  values: FlagValues = flagsOff();
  private client: Client | undefined;
  private provider: FlagFileProvider | undefined;
  private readonly domain = `smartshop-${process.pid}-${++domains}`;
  private cpuTimer: NodeJS.Timeout | undefined;
  private leakTimer: NodeJS.Timeout | undefined;
  private leaked: Buffer[] = [];
  private held: PoolConnection[] = [];
  private holding: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string | undefined,
    private readonly db: Database,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    for (const name of FLAG_NAMES) metrics.featureFlag.set({ flag: name }, flagNumber(FLAGS[name].off));
  }

  /** Starts watching the flags file; without one (FLAGS_FILE unset) every fault stays off. */
  async start(): Promise<void> {
    if (this.file === undefined) return;
    this.provider = new FlagFileProvider({
      path: this.file,
      onRefused: (message) => {
        this.metrics.flagsFileRefused.set(1);
        this.logger.error({ file: this.file }, `flags file refused, the previous flags stay: ${message}`);
      },
    });
    await OpenFeature.setProviderAndWait(this.domain, this.provider);
    this.client = OpenFeature.getClient(this.domain);
    this.client.addHandler(ProviderEvents.ConfigurationChanged, () => void this.refresh());
    await this.refresh();
  }

  async close(): Promise<void> {
    if (this.provider) {
      // the SDK closes the file provider when its domain gets another one
      OpenFeature.setProvider(this.domain, NOOP_PROVIDER);
      await this.provider.onClose();
    }
    this.apply(flagsOff());
    await this.holding;
  }

  /** The share of payments forced to fail, 0 when off. */
  get paymentFailure(): number {
    return this.values.paymentFailure;
  }

  /** slowResponses for a path: the longest route key it starts with, else "all", else 0. */
  delayMs(path: string): number {
    const d = this.values.slowResponses;
    let best: string | undefined;
    for (const route of Object.keys(d)) {
      if (route !== 'all' && (path === route || path.startsWith(`${route}/`)) && route.length > (best?.length ?? 0)) best = route;
    }
    return (best === undefined ? d.all : d[best]) ?? 0;
  }

  private async refresh(): Promise<void> {
    const client = this.client;
    if (!client) return;
    const next = flagsOff() as Record<FlagName, FlagValue>;
    for (const name of FLAG_NAMES) {
      const off = FLAGS[name].off;
      next[name] = typeof off === 'boolean' ? await client.getBooleanValue(name, off)
        : typeof off === 'number' ? await client.getNumberValue(name, off)
          : (await client.getObjectValue(name, off)) as Record<string, number>;
    }
    this.apply(next as FlagValues);
  }

  private apply(next: FlagValues): void {
    const before = this.values;
    this.metrics.flagsFileRefused.set(this.provider?.lastError === undefined ? 0 : 1);
    this.values = next;
    for (const name of FLAG_NAMES) {
      this.metrics.featureFlag.set({ flag: name }, flagNumber(next[name]));
      if (JSON.stringify(before[name]) !== JSON.stringify(next[name])) {
        this.logger.warn({ flag: name, from: before[name], to: next[name] }, `fault flag ${name} ${isOn(name, next[name]) ? 'set' : 'reset'}`);
      }
    }
    this.busyLoop(next.highCpu);
    this.leak(next.memoryLeak);
    this.holding = this.holding.then(() => this.holdConnections(next.dbPoolStarvation));
  }

  /** Spends `share` of every 100 ms slice spinning on the event loop. */
  private busyLoop(share: number): void {
    clearInterval(this.cpuTimer);
    this.cpuTimer = undefined;
    if (share <= 0) return;
    const busyMs = Math.min(FLAG_LIMITS.cpuShare, share) * CPU_SLICE_MS;
    this.cpuTimer = setInterval(() => {
      const until = performance.now() + busyMs;
      while (performance.now() < until) { /* the fault: burn CPU */ }
      this.metrics.busySeconds.inc(busyMs / 1000);
    }, CPU_SLICE_MS);
    this.cpuTimer.unref();
  }

  /** Keeps `mbPerMinute` of touched memory every minute, up to the cap; off releases it all. */
  private leak(mbPerMinute: number): void {
    clearInterval(this.leakTimer);
    this.leakTimer = undefined;
    if (mbPerMinute <= 0) {
      this.leaked = [];
      this.metrics.leakedBytes.set(0);
      return;
    }
    const perTick = Math.round((mbPerMinute * 1024 * 1024 * LEAK_TICK_MS) / 60_000);
    this.leakTimer = setInterval(() => {
      const total = this.leaked.reduce((n, b) => n + b.length, 0);
      if (total + perTick > FLAG_LIMITS.leakMaxMb * 1024 * 1024) return;
      this.leaked.push(Buffer.alloc(perTick, 1)); // filled, so the pages are really used
      this.metrics.leakedBytes.set(total + perTick);
    }, LEAK_TICK_MS);
    this.leakTimer.unref();
  }

  /** Takes pool connections until `n` are held (never more than the pool has), or gives them back. */
  private async holdConnections(n: number): Promise<void> {
    const want = Math.min(n, this.db.poolSize);
    while (this.held.length > want) this.held.pop()?.release();
    while (this.held.length < want && this.values.dbPoolStarvation >= this.held.length + 1) {
      try {
        this.held.push(await this.db.pool.getConnection());
      } catch (err) {
        this.logger.warn({ err }, 'dbPoolStarvation: could not take a pool connection; holding what it has');
        break;
      }
    }
    this.metrics.heldConnections.set(this.held.length);
  }
}
