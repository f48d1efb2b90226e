// Section 1: the lab's shop (the app container on API_PORT) through HAProxy to Galera, at a
// fixed concurrency, beside a bare mysql2 loop that issues the same SQL through the same
// HAProxy port: the ratio is what the shop costs over the database itself.
import { randomUUID } from 'node:crypto';
import { HttpClient } from '../../shared/http-client.ts';
import { addDelta, clusterCommits, dbTimeOf, dbTimeRows, emptyDbTime } from '../db-profile.ts';
import { defaultMix, runSimulation, type JourneyMix } from '../../simulator/index.ts';
import { isClientError } from '../../chaos/index.ts';
import { BARE_SQL, BareShop } from '../bare-shop.ts';
import { runBareJourney } from '../bare-journey.ts';
import { fmtCount, fmtMs, fmtRatio, type Table } from '../format.ts';
import { closedLoop, describeKinds, httpResult, type OpResult } from '../load.ts';
import { LOOPBACK, labDb } from '../stack-check.ts';
import { runFigures, type RunFigures } from '../stats.ts';
import { labAccess, compare, FIGURES_HEADERS, figuresCells, loopSide as sharedLoopSide, noisyNote, sideBySide, type Side, defineSection } from './common.ts';

const TITLE = 'Shop vs the database alone, through HAProxy to Galera';
const SEED = 8_008;

interface Workload {
  key: string;
  label: string;
  unit: string;
  shopRuns: string;
  bareRuns: string;
  sides: [Side, Side];
}

export const section1 = defineSection({ id: 1, title: TITLE, needs: ['api', 'mysql'], budgetSeconds: 420 }, async (ctx) => {
  const { opts } = ctx;
  const access = labAccess(ctx);
  const http = new HttpClient({ baseUrl: access.api, timeoutMs: 10_000 });
  const bare = new BareShop(labDb(access));
  const loop = { concurrency: opts.concurrency, durationMs: opts.seconds * 1000, maxOps: 200_000 };
  try {
    // a customer for the orders, and the catalogue
    const created = await http.post('/api/users/create', { name: 'Bench Customer', email: 'bench-customer@bench.example' });
    const userId = created.kind === 'response' && created.status === 201 ? Number((created.body as { id?: unknown }).id) : Number.NaN;
    if (!Number.isInteger(userId)) throw new Error(`could not create the bench's customer through the shop (${created.kind === 'response' ? `HTTP ${created.status}` : created.kind})`);
    const listed = await http.get('/api/products');
    const productIds = listed.kind === 'response' && Array.isArray(listed.body) ? listed.body.map((p) => Number((p as { id?: unknown }).id)).filter(Number.isInteger) : [];
    if (productIds.length === 0) throw new Error('GET /api/products returned no products');
    const product = (i: number): number => productIds[i % productIds.length] as number;
    const mix: JourneyMix = { ...defaultMix, errorRate: 0 };
    let ordersWritten = 0;
    let journeysRun = 0;
    // the journey mix's commits and requests per side, and the shop's database time per operation
    const commits: Record<string, { commits: number; requests: number; writes: number }> = {
      shop: { commits: 0, requests: 0, writes: 0 },
      'bare SQL': { commits: 0, requests: 0, writes: 0 },
    };
    const dbTime = emptyDbTime();
    const scrape = async (): Promise<string> => {
      const res = await fetch(`${access.api}/metrics`, { signal: AbortSignal.timeout(5_000) });
      return res.text();
    };
    const counted = async <T>(side: string, fn: () => Promise<{ value: T; requests: number; writes: number }>): Promise<T> => {
      const before = await clusterCommits(bare.pool).catch(() => undefined);
      const out = await fn();
      const after = await clusterCommits(bare.pool).catch(() => undefined);
      const c = commits[side];
      if (c !== undefined && before !== undefined && after !== undefined) {
        c.commits += after - before;
        c.requests += out.requests;
        c.writes += out.writes;
      }
      return out.value;
    };

    const loopSide = (name: string, op: (i: number) => Promise<OpResult>): Side => sharedLoopSide(name, loop, opts.warmupSeconds, op);

    // the journey mix at the bench's concurrency and at the issue's 32 in flight (the
    // database saturates somewhere between: the second row says whether it still scales)
    const journeyWorkload = (inFlight: number): Workload => (
{
        key: inFlight === opts.concurrency ? 'journeys' : `journeys-${inFlight}`,
        label: `journey mix, ${inFlight} in flight`,
        unit: 'journeys/s',
        shopRuns: `simulator engine, closed loop of ${inFlight} journeys, errorRate 0`,
        bareRuns: 'the same planned journeys (same seeds) as SQL, step by step',
        sides: [
          {
            name: 'shop',
            run: async (r) => {
              const metricsBefore = dbTimeOf(await scrape());
              const s = await counted('shop', async () => {
                const summary = await runSimulation({
                target: access.api,
                concurrency: inFlight,
                durationSeconds: opts.seconds,
                cycles: 100_000,
                seed: SEED + r,
                mix,
                keepLedger: false,
                timeoutMs: 10_000,
                mode: 'bench',
                });
                const writes = Object.entries(summary.endpoints).filter(([e]) => e.startsWith('POST ')).reduce((n, [, e]) => n + e.requests, 0);
                return { value: summary, requests: summary.requests.total, writes };
              });
              addDelta(dbTime, metricsBefore, dbTimeOf(await scrape()));
              journeysRun += s.journeys.completed + s.journeys.failed;
              const errors = s.requests.byClass['5xx'] + s.requests.timeouts + s.requests.connectionErrors;
              const f: RunFigures = {
                throughput: s.elapsedSeconds > 0 ? s.journeys.completed / s.elapsedSeconds : Number.NaN,
                p50: s.latency.p50 * 1000,
                p95: s.latency.p95 * 1000,
                p99: s.latency.p99 * 1000,
                count: s.journeys.completed,
                errors,
                seconds: s.elapsedSeconds,
              };
              const errorKinds: Record<string, number> = {};
              for (const [k, v] of Object.entries(s.requests.byOutcome)) if (isClientError(k)) errorKinds[k === 'error' ? 'connection error' : k] = v;
              if (s.journeys.failed > 0) errorKinds['journeys failed'] = s.journeys.failed;
              return { ...f, errorKinds };
            },
          },
          {
            name: 'bare SQL',
            run: async (r) => {
              const steps: number[] = [];
              let writes = 0;
              const res = await counted('bare SQL', async () => {
                const loopResult = await closedLoop({ ...loop, concurrency: inFlight, maxOps: 100_000 }, async (i) => {
                  // a failed step throws, and the loop counts it by its error
                  await runBareJourney(bare, SEED + r, i, mix, (ms, write) => {
                    steps.push(ms);
                    if (write) writes++;
                  });
                  return true;
                });
                return { value: loopResult, requests: steps.length, writes };
              });
              journeysRun += res.ok + res.errors;
              const seconds = res.elapsedMs / 1000;
              const f = runFigures(steps, res.errors, seconds);
              return { ...f, throughput: res.ok / seconds, count: res.ok, errorKinds: res.errorKinds };
            },
          },
        ],
      }
    );
    const inFlights = [...new Set([opts.concurrency, 32])];

    const workloads: Workload[] = [
      {
        key: 'stats',
        label: 'GET /api/stats',
        unit: 'requests/s',
        shopRuns: 'GET /api/stats on the shop',
        bareRuns: 'the stats query, causal (see below)',
        sides: [
          loopSide('shop', async () => httpResult(await http.get('/api/stats'))),
          loopSide('bare SQL', async () => {
            await bare.stats();
            return true;
          }),
        ],
      },
      {
        key: 'orders',
        label: 'POST /api/orders/create',
        unit: 'requests/s',
        shopRuns: 'POST /api/orders/create {userId, productId, quantity: 1} with an Idempotency-Key',
        bareRuns: 'the keyed order transaction (see below)',
        sides: [
          loopSide('shop', async (i) => {
            const r = httpResult(await http.request('POST', '/api/orders/create', { body: { userId, productId: product(i), quantity: 1 }, headers: { 'idempotency-key': randomUUID() } }), 201);
            if (r === true) ordersWritten++;
            return r;
          }),
          loopSide('bare SQL', async (i) => {
            const id = await bare.createOrder(userId, product(i), 1);
            if (id > 0) ordersWritten++;
            return id > 0 ? true : 'order not inserted';
          }),
        ],
      },
      ...inFlights.map(journeyWorkload),
    ];

    const rows: string[][] = [];
    const ratioRows: string[][] = [];
    const notes: string[] = [];
    const data: Record<string, unknown> = {};
    for (const w of workloads) {
      const sbs = await sideBySide(ctx, w.label, w.sides, opts.runs);
      const c = compare(sbs.runs, 'shop', 'bare SQL', opts.noiseThreshold);
      rows.push([w.label, 'shop', w.shopRuns, ...figuresCells(c.a, opts.noiseThreshold)]);
      rows.push([w.label, 'bare SQL', w.bareRuns, ...figuresCells(c.b, opts.noiseThreshold)]);
      ratioRows.push([w.label, w.unit, fmtRatio(1 / c.throughputRatio), fmtRatio(c.p50Ratio), fmtRatio(c.p99Ratio)]);
      for (const [side, a] of [['shop', c.a], ['bare SQL', c.b]] as const) {
        const n = noisyNote(`${w.label}, ${side}`, a, opts.noiseThreshold);
        if (n) notes.push(n);
        const kinds = sbs.errorKinds[side] ?? {};
        if (Object.keys(kinds).length > 0) notes.push(`${w.label}, ${side}: errors ${describeKinds(kinds)}.`);
      }
      if (sbs.cut > 0) notes.push(`${w.label}: ${sbs.cut} run(s) left out, the section's time was up.`);
      data[w.key] = { runs: sbs.runs, errorKinds: sbs.errorKinds, compared: c };
    }

    const perRequest = (side: string): string[] => {
      const c = commits[side];
      if (c === undefined || c.requests === 0) return [side, 'not measured', '', ''];
      return [side, fmtCount(c.commits), (c.commits / c.requests).toFixed(2), c.writes > 0 ? (c.commits / c.writes).toFixed(2) : '–'];
    };
    const commitTable: Table = {
      title: 'Journey mix: commits the cluster made (wsrep_last_committed), per request and per write request',
      headers: ['side', 'commits', 'per request', 'per write request'],
      align: ['left'],
      rows: [perRequest('shop'), perRequest('bare SQL')],
    };
    const journeysDone = Object.entries(data)
      .filter(([k]) => k.startsWith('journeys'))
      .reduce((n, [, d]) => n + ((d as { runs?: Record<string, { count: number }[]> }).runs?.shop?.reduce((m, f) => m + f.count, 0) ?? 0), 0);
    const dbRows = dbTimeRows(dbTime);
    const dbTable: Table = {
      title: "Journey mix, shop side: database time per operation (the shop's smartshop_db_query_duration_seconds, retries included)",
      headers: ['operation', 'calls', 'per journey', 'mean ms', 'share of DB time'],
      align: ['left'],
      rows: dbRows.map((d) => [d.operation, fmtCount(d.calls), journeysDone > 0 ? (d.calls / journeysDone).toFixed(2) : '–', fmtMs(d.meanMs), `${(d.share * 100).toFixed(1)} %`]),
    };
    data.commits = commits;
    data.dbTime = dbRows;

    const figures: Table = {
      headers: ['workload', 'side', 'what runs', ...FIGURES_HEADERS],
      align: ['left', 'left', 'left'],
      rows,
    };
    const ratios: Table = {
      title: 'Ratios (median of the per-run pairs; above 1 = what the shop adds)',
      headers: ['workload', 'unit', 'throughput: DB alone ÷ shop', 'p50: shop ÷ DB alone', 'p99: shop ÷ DB alone'],
      align: ['left', 'left'],
      rows: ratioRows,
    };
    return {
      status: 'ok',
      about: [
        `The shop is the lab's app container (${access.api}), which reaches Galera through HAProxy on the lab's network; the bare loop is a mysql2 pool of ${access.poolSize} connections (the app's DB_POOL_SIZE) in this process, through HAProxy's published port ${LOOPBACK}:${access.mysqlPort}. Both run ${opts.concurrency} operations in flight, for ${opts.seconds} s per run, the two sides taking turns run by run.`,
        'ops/s is requests per second for the endpoints and completed journeys per second for the journey mix; the journey latencies are per request (shop) and per step, i.e. the SQL of one request (bare). The bare loop has no HTTP, Express, validation, metrics or logs, and retries a write conflict exactly as the shop does (same attempts and pauses): what the ratios show is the cost of all of that, and of the app container\'s extra network hop.',
        `The bench writes to the lab: ${fmtCount(ordersWritten)} orders for one customer ("Bench Customer") and ${fmtCount(journeysRun)} journeys' users, orders and payments.`,
      ],
      tables: [figures, ratios, commitTable, dbTable],
      notes,
      details: [
        { summary: 'What the bare loop runs for GET /api/stats', body: BARE_SQL.stats },
        { summary: 'What the bare loop runs for POST /api/orders/create', body: bare.statementsOf('createOrder') },
        { summary: 'What the bare loop runs for the journey mix', body: BARE_SQL.journey },
      ],
      data,
    };
  } finally {
    await bare.close();
  }
});
