// Section 2: what metrics and request logging cost. Two copies of the same app (startServer,
// each in its own process), one with METRICS_ENABLED and REQUEST_LOGGING on, one with both
// off, against the lab's Galera through HAProxy; the same load on each, runs alternating.
import { HttpClient } from '../../shared/http-client.ts';
import { fmtChange, fmtRatio, type Table } from '../format.ts';
import { describeKinds, httpResult } from '../load.ts';
import { startShopProcess, type ShopProcess, type ShopSpec } from '../shop-process.ts';
import { LOOPBACK, labDb } from '../stack-check.ts';
import { labAccess, compare, FIGURES_HEADERS, figuresCells, loopSide, noisyNote, sideBySide, type Side, defineSection } from './common.ts';

const TITLE = 'Instrumentation cost: metrics and request logging on vs off';
const ENDPOINTS = [
  { path: '/api/health', what: 'no database: Express, the middlewares and the instrumentation only' },
  { path: '/api/products', what: 'one small read through HAProxy' },
];

export const section2 = defineSection({ id: 2, title: TITLE, needs: ['mysql'], budgetSeconds: 240 }, async (ctx) => {
  const access = labAccess(ctx);
  const { opts } = ctx;
  const spec = (on: boolean): ShopSpec => ({
    db: labDb(access),
    metricsEnabled: on,
    requestLogging: on,
    logLevel: 'info',
    errorInjection: false,
    waitForSchema: true,
  });
  const shops: ShopProcess[] = [];
  try {
    ctx.log(' starting two shops (on, off) against HAProxy');
    const [on, off] = await Promise.all([startShopProcess(spec(true)), startShopProcess(spec(false))]);
    shops.push(on, off);
    const loop = { concurrency: opts.concurrency, durationMs: opts.seconds * 1000, maxOps: 500_000 };
    const side = (name: string, shop: ShopProcess, path: string): Side => {
      const http = new HttpClient({ baseUrl: shop.url, timeoutMs: 10_000 });
      const op = async (): Promise<true | string> => httpResult(await http.get(path));
      return loopSide(name, loop, opts.warmupSeconds, op);
    };
    const rows: string[][] = [];
    const ratioRows: string[][] = [];
    const notes: string[] = [];
    const data: Record<string, unknown> = {};
    for (const ep of ENDPOINTS) {
      const sbs = await sideBySide(ctx, `GET ${ep.path}`, [side('on', on, ep.path), side('off', off, ep.path)], opts.runs);
      const c = compare(sbs.runs, 'on', 'off', opts.noiseThreshold);
      rows.push([`GET ${ep.path}`, 'on', ...figuresCells(c.a, opts.noiseThreshold)]);
      rows.push([`GET ${ep.path}`, 'off', ...figuresCells(c.b, opts.noiseThreshold)]);
      ratioRows.push([`GET ${ep.path}`, ep.what, fmtRatio(c.throughputRatio), fmtChange(c.throughputRatio), fmtRatio(c.p99Ratio), fmtRatio(c.p50Ratio)]);
      for (const [name, a] of [['on', c.a], ['off', c.b]] as const) {
        const n = noisyNote(`GET ${ep.path}, ${name}`, a, opts.noiseThreshold);
        if (n) notes.push(n);
        const kinds = sbs.errorKinds[name] ?? {};
        if (Object.keys(kinds).length > 0) notes.push(`GET ${ep.path}, ${name}: errors ${describeKinds(kinds)}.`);
      }
      if (sbs.cut > 0) notes.push(`GET ${ep.path}: ${sbs.cut} run(s) left out, the section's time was up.`);
      data[ep.path] = { runs: sbs.runs, compared: c };
    }
    const figures: Table = { headers: ['endpoint', 'metrics + request logging', ...FIGURES_HEADERS], align: ['left', 'left'], rows };
    const ratios: Table = {
      title: 'Ratios (on ÷ off, median of the per-run pairs)',
      headers: ['endpoint', 'what it exercises', 'throughput on ÷ off', 'throughput change', 'p99 on ÷ off', 'p50 on ÷ off'],
      align: ['left', 'left'],
      rows: ratioRows,
    };
    return {
      status: 'ok',
      about: [
        `Two copies of the shop (app/server.ts startServer, the config of test/integrity/lab.ts shopAgainstStack() with the lab's own HAProxy port ${LOOPBACK}:${access.mysqlPort}) differ only in METRICS_ENABLED and REQUEST_LOGGING (both at LOG_LEVEL=info; pino writes to /dev/null, so each log line is still formatted and written). Each runs in its own process, like the load generator, so the shop has a core of its own rather than sharing the bench's event loop. ${opts.concurrency} requests in flight, ${opts.seconds} s per run, on and off taking turns.`,
        'A throughput ratio of 0.90× means instrumentation costs 10% of the throughput at this concurrency; the cheaper the endpoint, the larger the share instrumentation takes.',
      ],
      tables: [figures, ratios],
      notes,
      data,
    };
  } finally {
    await Promise.all(shops.map((s) => s.stop()));
  }
});
