// GET /api/charts: the last minutes of the lab as pictures, for a lab where Grafana cannot be
// had. Range queries to Prometheus (request rate, error ratio, p99, the fulfilment backlog,
// each node's state as HAProxy, Galera and the broker report it, the drill's phases), drawn
// on the server into SVG by the reports' own chart module (shared/charts.ts), with every
// drill's fault window shaded. The answer carries the data beside each picture, so the page
// (and a test) can check that what is drawn is what Prometheus said.
import express, { type Router } from 'express';
import { HttpError } from '../shared/web/http-error.ts';
import { PrometheusClient, type RangeSeries } from '../shared/prometheus.ts';
import { liveLanesSpec, liveLineSpec, renderSvg, toSpans, type TimePoint, type TimeSpan } from '../shared/charts.ts';

const WSREP_STATES: Record<string, string> = { '1': 'Joining', '2': 'Donor/Desynced', '3': 'Joined', '4': 'Synced' };

/** The line charts: each series one PromQL expression over the shop's own metrics (job app). */
const LINE_CHARTS = [
  { id: 'requests', title: 'Requests answered per second', unit: 'requests/s', series: { answered: 'sum(rate(http_requests_total{job="app"}[1m]))' } },
  {
    id: 'errors',
    title: 'Error ratio (share of 5xx answers)',
    unit: 'ratio',
    series: { '5xx share': '(sum(rate(http_requests_total{job="app",status_code=~"5.."}[1m])) or vector(0)) / sum(rate(http_requests_total{job="app"}[1m]))' },
  },
  { id: 'p99', title: 'Latency p99 (seconds)', unit: 'seconds', series: { p99: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job="app"}[1m])))' } },
  {
    id: 'backlog',
    title: 'Fulfilment backlog',
    unit: 'events',
    series: { 'outbox (not yet confirmed)': 'max(smartshop_outbox_backlog)', 'queue (ready + unacked)': 'sum(rabbitmq_queue_messages{queue="fulfilment"})' },
  },
] as const;

/** The node lanes and the drill's phases, and the fault windows shaded on every chart. */
const LANE_QUERIES = {
  galeraUp: 'mysql_up',
  galeraState: 'mysql_global_status_wsrep_local_state',
  haproxy: 'haproxy_server_status{proxy="galera"} == 1',
  broker: 'up{job="rabbitmq"}',
  phase: 'chaos_drill_phase == 1',
  fault: 'max(chaos_fault_active) == 1',
};

interface LiveChart {
  id: string;
  title: string;
  /** the samples drawn (line charts) */
  points?: TimePoint[];
  /** the spans drawn (lanes) */
  spans?: TimeSpan[];
  svg?: string;
  error?: string;
}

interface LiveCharts {
  window: { start: number; end: number; stepSeconds: number };
  faults: { from: number; to: number }[];
  charts: LiveChart[];
}

/** The samples of range series as points named by `name`; NaN and infinities (no traffic) are left out. */
export function toPoints(series: readonly RangeSeries[], name: (metric: Record<string, string>) => string): TimePoint[] {
  return series.flatMap((s) => s.values.filter(([, v]) => Number.isFinite(v)).map(([t, v]) => ({ series: name(s.metric), at: t * 1000, value: v })));
}

/** lane → time (ms) → label, from range series, each series' lane and label read from its labels. */
function labelsOf(series: readonly RangeSeries[], lane: (m: Record<string, string>) => string, label: (m: Record<string, string>, v: number) => string, into = new Map<string, Map<number, string>>()): Map<string, Map<number, string>> {
  for (const s of series) {
    const l = lane(s.metric);
    const byTime = into.get(l) ?? new Map<number, string>();
    for (const [t, v] of s.values) byTime.set(t * 1000, label(s.metric, v));
    into.set(l, byTime);
  }
  return into;
}

const sorted = <T>(m: Map<string, T>): Map<string, T> => new Map([...m.entries()].sort(([a], [b]) => a.localeCompare(b)));

async function liveCharts(prom: PrometheusClient, minutes: number, now = Date.now()): Promise<LiveCharts> {
  const stepSeconds = Math.max(5, Math.round((minutes * 60) / 60));
  const end = Math.floor(now / 1000 / stepSeconds) * stepSeconds;
  const start = end - minutes * 60;
  const range = (expr: string): Promise<RangeSeries[]> => prom.queryRange(expr, new Date(start * 1000), new Date(end * 1000), stepSeconds);
  const steps = Array.from({ length: (end - start) / stepSeconds + 1 }, (_, i) => (start + i * stepSeconds) * 1000);
  const stepMs = stepSeconds * 1000;
  const domain: [number, number] = [start * 1000, end * 1000 + stepMs];

  const faultSeries = await range(LANE_QUERIES.fault).catch(() => []);
  const faults = toSpans(new Map([['fault', labelsOf(faultSeries, () => 'fault', () => 'fault').get('fault') ?? new Map()]]), steps, stepMs).map((s) => ({ from: s.from, to: s.to }));

  const lines = LINE_CHARTS.map(async (c): Promise<LiveChart> => {
    try {
      const points = (await Promise.all(Object.entries(c.series).map(async ([name, expr]) => toPoints(await range(expr), () => name)))).flat();
      return { id: c.id, title: c.title, points, svg: await renderSvg(liveLineSpec(c.title, c.unit, points, faults, domain)) };
    } catch (err) {
      return { id: c.id, title: c.title, error: (err as Error).message };
    }
  });
  const lanes = (async (): Promise<LiveChart> => {
    const title = 'Nodes (Galera, HAProxy, broker) and the drill';
    try {
      const [up, state, haproxy, broker, phase] = await Promise.all([LANE_QUERIES.galeraUp, LANE_QUERIES.galeraState, LANE_QUERIES.haproxy, LANE_QUERIES.broker, LANE_QUERIES.phase].map(range));
      const galera = labelsOf(state ?? [], (m) => `${m.node ?? '?'} Galera`, (_m, v) => WSREP_STATES[String(v)] ?? `state ${v}`);
      // the exporter answers while its node is down: mysql_up 0 says so, where no state was read
      for (const s of up ?? []) {
        const byTime = galera.get(`${s.metric.node ?? '?'} Galera`) ?? new Map<number, string>();
        for (const [t, v] of s.values) if (v === 0 || !byTime.has(t * 1000)) byTime.set(t * 1000, v === 0 ? 'down' : 'no state');
        galera.set(`${s.metric.node ?? '?'} Galera`, byTime);
      }
      const nodes = sorted(labelsOf(haproxy ?? [], (m) => `${m.server ?? '?'} HAProxy`, (m) => m.state ?? '?', galera));
      const brokers = sorted(labelsOf(broker ?? [], (m) => `${(m.instance ?? '?').replace(/:\d+$/, '')}`, (_m, v) => (v === 1 ? 'running' : 'down')));
      const drill = labelsOf(phase ?? [], (m) => `drill ${m.drill ?? '?'}`, (m) => m.phase ?? '?');
      const spans = [...toSpans(nodes, steps, stepMs, 'no data'), ...toSpans(brokers, steps, stepMs, 'no data'), ...toSpans(drill, steps, stepMs)];
      return { id: 'nodes', title, spans, svg: await renderSvg(liveLanesSpec(title, spans, faults, domain)) };
    } catch (err) {
      return { id: 'nodes', title, error: (err as Error).message };
    }
  })();
  return { window: { start: start * 1000, end: end * 1000, stepSeconds }, faults, charts: [...(await Promise.all(lines)), await lanes] };
}

export function liveChartsApi(prometheusUrl: string | undefined): Router {
  const r = express.Router();
  const prom = prometheusUrl ? new PrometheusClient(prometheusUrl, { timeoutMs: 5_000 }) : undefined;
  // one drawing serves every page open within a few seconds (each draws six charts)
  type CacheEntry = { minutes: number; answer: Promise<LiveCharts>; done?: number };
  let cached: CacheEntry | undefined;
  r.get('/', async (req, res, next) => {
    try {
      if (!prom) throw new HttpError(503, 'no_prometheus', 'no Prometheus configured for the console (PROMETHEUS_URL)');
      const minutes = req.query.minutes === undefined ? 15 : Number(req.query.minutes);
      if (!Number.isInteger(minutes) || minutes < 1 || minutes > 60) throw new HttpError(400, 'bad_minutes', 'minutes is a whole number from 1 to 60');
      if (cached === undefined || cached.minutes !== minutes || (cached.done !== undefined && Date.now() - cached.done > 5_000)) {
        const entry: CacheEntry = { minutes, answer: liveCharts(prom, minutes) };
        cached = entry;
        // fresh for 5 s from when it was drawn; a failed drawing is not kept
        entry.answer.then(() => { entry.done = Date.now(); }, () => { if (cached === entry) cached = undefined; });
      }
      res.json(await cached.answer);
    } catch (err) {
      next(err);
    }
  });
  return r;
}
