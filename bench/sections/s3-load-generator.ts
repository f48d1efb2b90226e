// Section 3: how much load the simulator engine can generate, against autocannon, on the
// same trivial endpoint (GET /api/health) of the same shop process: if the engine's
// requests per second fall well short of autocannon's, the engine is the bottleneck of any
// figure it measures at that rate. Needs no stack: /api/health does not touch the database.
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { HttpClient } from '../../shared/http-client.ts';
import { LatencyHistogram, Ledger, RunStats, send, SimulatorMetrics, type JourneyContext } from '../../simulator/index.ts';
import { freePort } from '../../lab/throwaway-mariadb.ts';
import { fmtRatio, type Table } from '../format.ts';
import { describeKinds } from '../load.ts';
import { packageVersion } from '../machine.ts';
import { startShopProcess, type ShopProcess } from '../shop-process.ts';
import { LOOPBACK } from '../stack-check.ts';
import type { RunFigures } from '../stats.ts';
import { compare, FIGURES_HEADERS, figuresCells, noisyNote, sideBySide, type Side, defineSection } from './common.ts';

const TITLE = 'The load generator: simulator engine vs autocannon';
const PATH = '/api/health';
const MAX_REQUESTS = 2_000_000;

type Figures = RunFigures & { errorKinds: Record<string, number> };

/** The engine's request path (HttpClient, send(), RunStats and its prom-client metrics) in a closed loop. */
async function engineRun(url: string, concurrency: number, seconds: number): Promise<Figures> {
  const stats = new RunStats(new SimulatorMetrics());
  const ctx: JourneyContext = {
    http: new HttpClient({ baseUrl: url, timeoutMs: 10_000 }),
    stats,
    ledger: new Ledger(url, new Date().toISOString(), false),
    retries: 0,
    backoffMs: 0,
    isStopping: () => false,
    signal: new AbortController().signal,
  };
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < MAX_REQUESTS && performance.now() < deadline) {
      started++;
      await send(ctx, `GET ${PATH}`, PATH, { retry: false });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  const snap = stats.snapshot();
  const ok = snap.requests.byOutcome['200'] ?? 0;
  const errorKinds = Object.fromEntries(Object.entries(snap.requests.byOutcome).filter(([k]) => k !== '200'));
  return {
    throughput: ok / elapsed,
    p50: snap.latency.p50 * 1000,
    p95: snap.latency.p95 * 1000,
    p99: snap.latency.p99 * 1000,
    count: ok,
    errors: snap.requests.total - ok,
    seconds: elapsed,
    errorKinds,
  };
}

/** autocannon, in this process too, with the same connections; latencies into the engine's histogram. */
function autocannonRun(url: string, concurrency: number, seconds: number): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const hist = new LatencyHistogram();
    const guard = setTimeout(() => instance.stop(), (seconds + 15) * 1000);
    const instance = autocannon({ url: `${url}${PATH}`, connections: concurrency, duration: seconds, timeout: 10 }, (err, result) => {
      clearTimeout(guard);
      if (err) {
        reject(err);
        return;
      }
      const p = hist.percentiles();
      const ok = result['2xx'];
      const errorKinds: Record<string, number> = {};
      if (result.non2xx) errorKinds['non-2xx'] = result.non2xx;
      if (result.errors) errorKinds.error = result.errors;
      if (result.timeouts) errorKinds.timeout = result.timeouts;
      resolve({
        throughput: ok / result.duration,
        p50: p.p50 * 1000,
        p95: p.p95 * 1000,
        p99: p.p99 * 1000,
        count: ok,
        errors: result.non2xx + result.errors + result.timeouts,
        seconds: result.duration,
        errorKinds,
      });
    });
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTimeMs: number) => hist.record(responseTimeMs / 1000));
  });
}

export const section3 = defineSection({ id: 3, title: TITLE, needs: [], budgetSeconds: 120 }, async (ctx) => {
  const { opts } = ctx;
  let shop: ShopProcess | undefined;
  try {
    // /api/health needs no database: the shop is pointed at a closed port and never reaches one
    const closed = await freePort();
    shop = await startShopProcess({
      db: { host: LOOPBACK, port: closed, user: 'none', password: 'none', database: 'none', poolSize: 1 },
      metricsEnabled: false,
      requestLogging: false,
      logLevel: 'silent',
      errorInjection: false,
      waitForSchema: false,
    });
    const url = shop.url;
    const sides: Side[] = [
      {
        name: 'simulator engine',
        run: () => engineRun(url, opts.concurrency, opts.seconds),
        warmup: async () => void (await engineRun(url, opts.concurrency, opts.warmupSeconds)),
      },
      {
        name: 'autocannon',
        run: () => autocannonRun(url, opts.concurrency, Math.max(1, Math.round(opts.seconds))),
        warmup: async () => void (await autocannonRun(url, opts.concurrency, 1)),
      },
    ];
    const sbs = await sideBySide(ctx, `GET ${PATH}`, sides, opts.runs);
    const c = compare(sbs.runs, 'simulator engine', 'autocannon', opts.noiseThreshold);
    const notes: string[] = [];
    for (const [name, a] of [['simulator engine', c.a], ['autocannon', c.b]] as const) {
      const n = noisyNote(name, a, opts.noiseThreshold);
      if (n) notes.push(n);
      const kinds = sbs.errorKinds[name] ?? {};
      if (Object.keys(kinds).length > 0) notes.push(`${name}: errors ${describeKinds(kinds)}.`);
    }
    if (sbs.cut > 0) notes.push(`${sbs.cut} run(s) left out, the section's time was up.`);
    const figures: Table = { headers: ['generator', ...FIGURES_HEADERS], rows: [['simulator engine', ...figuresCells(c.a, opts.noiseThreshold)], ['autocannon', ...figuresCells(c.b, opts.noiseThreshold)]] };
    const ratios: Table = {
      title: 'Ratio (median of the per-run pairs)',
      headers: ['endpoint', 'requests/s: engine ÷ autocannon', 'p50: engine ÷ autocannon', 'p99: engine ÷ autocannon'],
      rows: [[`GET ${PATH}`, fmtRatio(c.throughputRatio), fmtRatio(c.p50Ratio), fmtRatio(c.p99Ratio)]],
    };
    return {
      status: 'ok',
      about: [
        `One shop process (startServer, metrics and request logging off, no database needed) serves GET ${PATH}; both generators run in the bench's process with ${opts.concurrency} requests in flight, ${opts.seconds} s per run, taking turns. The engine side is the simulator's own request path (shared/http-client.ts on fetch, the engine's send() and RunStats with its prom-client metrics) in a closed loop; autocannon ${packageVersion('autocannon')} keeps ${opts.concurrency} keep-alive connections. Latencies of both go into the engine's log-bucketed histogram (±1%).`,
        'A ratio near 1× means the engine is not what limits a measurement at these rates; well below 1× means the engine saturates first, and figures it measures at that rate are the engine\'s, not the shop\'s.',
      ],
      tables: [figures, ratios],
      notes,
      data: { runs: sbs.runs, compared: c },
    };
  } finally {
    await shop?.stop();
  }
});
