// Section 4: the shop's /metrics after a long mixed run: how long it takes to render and
// how many series it holds, before and after, to show the label sets stay bounded (route
// templates, never raw URLs) however much and however varied the traffic.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { HttpClient } from '../../shared/http-client.ts';
import { runSimulation } from '../../simulator/index.ts';
import { fmtBytes, fmtCount, fmtMs, type Table } from '../format.ts';
import { closedLoop } from '../load.ts';
import { cardinality, labelValues, newSeries, seriesOf, sumOf } from '../../shared/prom-text.ts';
import { startShopProcess, type ShopProcess } from '../shop-process.ts';
import { labDb } from '../stack-check.ts';
import { summarize } from '../stats.ts';
import { labAccess, defineSection } from './common.ts';

const TITLE = '/metrics: render time and series count after a long mixed run';
const SEED = 4_004;
/** requests to URLs no route has (and ids nobody has) per mixed run */
const STRAY_REQUESTS = 300;

interface Point {
  label: string;
  text: string;
  requestsServed: number;
  series: number;
  families: number;
  bytes: number;
  httpSeries: number;
  routes: string[];
  renderMs: { p50: number; p95: number; p99: number; count: number };
}

const STRAY_PATHS = [
  (): string => `/api/orders/${Math.floor(Math.random() * 1e12)}`,
  (): string => `/api/users/${Math.floor(Math.random() * 1e12)}`,
  (): string => `/no/such/${randomUUID()}`,
  (): string => `/api/${randomUUID()}?q=${randomUUID()}`,
  (): string => `/api/orders/not-a-number-${Math.floor(Math.random() * 1e6)}`,
];

export const section4 = defineSection({ id: 4, title: TITLE, needs: ['mysql'], budgetSeconds: 300 }, async (ctx) => {
  const access = labAccess(ctx);
  const { opts } = ctx;
  const renders = opts.quick ? 10 : 30;
  let shop: ShopProcess | undefined;
  try {
    shop = await startShopProcess({
      db: labDb(access),
      metricsEnabled: true,
      requestLogging: true,
      logLevel: 'info',
      errorInjection: true,
      waitForSchema: true,
    });
    const target = shop.url;
    const http = new HttpClient({ baseUrl: target, timeoutMs: 10_000 });

    const measure = async (label: string): Promise<Point> => {
      const times: number[] = [];
      let text = '';
      for (let i = 0; i < renders; i++) {
        const t = performance.now();
        const r = await http.get('/metrics');
        if (r.kind !== 'response' || r.status !== 200) throw new Error(`GET /metrics: ${r.kind === 'response' ? `HTTP ${r.status}` : r.kind}`);
        times.push(performance.now() - t);
        text = r.text;
      }
      const s = summarize(times);
      const card = cardinality(text);
      const point: Point = {
        label,
        text,
        requestsServed: sumOf(text, 'http_requests_total'),
        series: card.series,
        families: card.families,
        bytes: card.bytes,
        httpSeries: seriesOf(text, 'http_requests_total'),
        routes: labelValues(text, 'http_requests_total', 'route'),
        renderMs: { p50: s.p50, p95: s.p95, p99: s.p99, count: s.count },
      };
      ctx.log(`  ${label}: ${point.series} series, ${fmtBytes(point.bytes)}, GET /metrics p50 ${fmtMs(s.p50)} ms`);
      return point;
    };

    const mixed = async (seconds: number, seed: number): Promise<{ requests: number; journeys: number }> => {
      const [summary, strays] = await Promise.all([
        runSimulation({ target, concurrency: opts.concurrency, durationSeconds: seconds, cycles: 1_000_000, seed, keepLedger: false, backgroundStatsSeconds: 1, timeoutMs: 10_000, mode: 'bench-metrics' }),
        closedLoop({ concurrency: 2, durationMs: seconds * 1000, maxOps: STRAY_REQUESTS }, async (i) => {
          await http.get((STRAY_PATHS[i % STRAY_PATHS.length] as () => string)());
          return true;
        }),
      ]);
      return { requests: summary.requests.total + strays.ok, journeys: summary.journeys.completed + summary.journeys.failed };
    };

    const points: Point[] = [await measure('fresh start')];
    const runs: { seconds: number; requests: number; journeys: number }[] = [];
    const lengths = [opts.mixedSeconds, Math.max(1, Math.round(opts.mixedSeconds / 2))];
    const notes: string[] = [];
    for (let i = 0; i < lengths.length; i++) {
      const seconds = lengths[i] as number;
      if (Date.now() + seconds * 1000 + 20_000 > ctx.deadline) {
        notes.push(`mixed run ${i + 1} left out: the section's time was up.`);
        break;
      }
      ctx.log(` mixed run ${i + 1}: ${seconds} s of journeys (5% injected errors) and stray URLs`);
      const r = await mixed(seconds, SEED + i);
      runs.push({ seconds, ...r });
      points.push(await measure(`after mixed run ${i + 1} (${seconds} s, ${fmtCount(r.requests)} requests)`));
    }

    const rows = points.map((p) => [p.label, fmtCount(p.requestsServed), fmtCount(p.series), fmtCount(p.families), fmtCount(p.httpSeries), String(p.routes.length), fmtBytes(p.bytes), fmtMs(p.renderMs.p50), fmtMs(p.renderMs.p95), fmtMs(p.renderMs.p99)]);
    const table: Table = {
      headers: ['point', 'requests served', 'series', 'families', 'http_requests_total series', 'route values', 'exposition', 'GET /metrics p50 ms', 'p95 ms', 'p99 ms'],
      align: ['left'],
      rows,
    };
    const last = points[points.length - 1] as Point;
    const first = points[0] as Point;
    if (points.length >= 3) {
      const a = points[1] as Point;
      const added = newSeries(a.text, last.text);
      const strayRoutes = last.routes.filter((r) => /[0-9a-f]{8}-|\d{6,}/.test(r));
      notes.push(
        `The second mixed run added ${added.length} series to the ${fmtCount(a.series)} the first one left (${fmtCount(last.requestsServed - a.requestsServed)} more requests served)${added.length > 0 ? `: ${added.slice(0, 8).join(', ')}${added.length > 8 ? ', …' : ''}` : ''}; growth that stops once every route, method and status has been seen is what bounded means.`,
      );
      notes.push(
        strayRoutes.length === 0
          ? `${STRAY_REQUESTS * runs.length} requests to random URLs and ids added no route label value of their own: the route label takes ${last.routes.length} values, all route templates.`
          : `⚠ route label values that look like raw URLs: ${strayRoutes.join(', ')}`,
      );
    }
    notes.push(`Series from fresh start to the end: ${fmtCount(first.series)} → ${fmtCount(last.series)}; exposition ${fmtBytes(first.bytes)} → ${fmtBytes(last.bytes)}.`);
    return {
      status: 'ok',
      about: [
        `A fresh shop process (startServer; metrics, request logging and error injection on, as the lab's container runs) against the lab's Galera through HAProxy. Its /metrics is fetched ${renders} times in a row at each point (the time includes the HTTP round trip on 127.0.0.1), first at start, then after each of ${lengths.length} mixed runs: simulator journeys at ${opts.concurrency} in flight with its default 5% injected 404/500/custom errors and a stats reader, plus ${STRAY_REQUESTS} requests to random URLs and unknown ids per run, which must not create label values.`,
      ],
      tables: [table],
      notes,
      details: [{ summary: 'route label values at the end', body: last.routes.map((r) => `\`${r}\``).join(', ') }],
      data: { points: points.map(({ text: _text, ...p }) => p), runs },
    };
  } finally {
    await shop?.stop();
  }
});
