// The reports' pictures (drills, load tests), drawn on the server into self-contained SVG: Vega-Lite specs
// compiled and rendered by Vega's headless view (no browser, no canvas, no CDN; BSD-3).
// Vega-Lite over ECharts' SSR: a spec is plain data a reader can paste into the Vega editor,
// and its SVG labels every mark (aria-label), so a test can count what was drawn.
// After Jepsen's latency plots: every client request as a point against time (log scale),
// coloured by outcome, the fault window shaded; throughput per outcome per second; the
// state of the target and the drill's phases as lanes on the same axis.
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** One client request: seconds on the chart's axis (from the fault, or the run's start), latency, outcome class. */
export interface ChartPoint {
  t: number;
  ms: number;
  outcome: OutcomeClass;
}

export type OutcomeClass = '2xx' | '4xx' | '5xx' | 'timeout' | 'error';
/** the classes a client counts as failed: what the charts call errors */
export const ERROR_CLASSES: readonly OutcomeClass[] = ['5xx', 'timeout', 'error'];

/** A span on the time axis, in seconds from the fault's start. */
export interface Span {
  lane: string;
  label: string;
  from: number;
  to: number;
}

const COLOURS: Record<OutcomeClass, string> = { '2xx': '#2ca02c', '4xx': '#ff7f0e', '5xx': '#d62728', timeout: '#9467bd', error: '#000000' };
const CLASSES = Object.keys(COLOURS) as OutcomeClass[];
const colour = { field: 'outcome', type: 'nominal', title: 'outcome', scale: { domain: CLASSES, range: CLASSES.map((c) => COLOURS[c]) } } as const;
const WIDTH = 760;
/** the shaded fault window, the same on every chart */
const FAULT_SHADE = { type: 'rect', color: '#d62728', opacity: 0.12 } as const;

export function outcomeClass(outcome: string): OutcomeClass {
  if (outcome === 'timeout' || outcome === 'error') return outcome;
  if (/^5\d\d$/.test(outcome)) return '5xx';
  if (/^4\d\d$/.test(outcome)) return '4xx';
  return '2xx';
}

/** The fault window as a layer: from the fault's start (0) to the rollback's start; none for a load test. */
function faultLayer(fault: Span | undefined): object[] {
  if (fault === undefined) return [];
  return [{
    data: { values: [{ 'fault from (s)': fault.from, 'fault to (s)': fault.to }] },
    mark: FAULT_SHADE,
    encoding: { x: { field: 'fault from (s)', type: 'quantitative' }, x2: { field: 'fault to (s)' } },
  }];
}

/** The time axis: seconds from the fault (drills) or from the run's start (load tests). */
const xTitle = (fault: Span | undefined): string => (fault ? 'seconds from the fault' : 'seconds from the start');

/** One x range for the charts of one report, so that they line up one under the other. */
export type XDomain = [number, number] | undefined;
const xScale = (domain: XDomain): object => (domain ? { scale: { domain, nice: false, zero: false } } : {});

/**
 * Every error and at most `maxOk` successes (every k-th, in time order: the shape of the
 * latency stays, the SVG stays small), as the latency chart draws them.
 */
export function pointsToDraw(points: readonly ChartPoint[], maxOk = 3_000): { drawn: ChartPoint[]; okEvery: number } {
  const ok = points.filter((p) => !ERROR_CLASSES.includes(p.outcome));
  const okEvery = Math.max(1, Math.ceil(ok.length / maxOk));
  let i = 0;
  const drawn = points.filter((p) => ERROR_CLASSES.includes(p.outcome) || i++ % okEvery === 0);
  return { drawn, okEvery };
}

export function latencySpec(points: readonly ChartPoint[], fault: Span | undefined, okEvery: number, domain?: XDomain): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Every client request: latency against time${okEvery > 1 ? ` (every error; 1 in ${okEvery} of the others)` : ''}${fault ? ', the fault window shaded' : ''}`,
    width: WIDTH,
    height: 260,
    layer: [
      ...faultLayer(fault),
      {
        data: { values: points.map((p) => ({ 'T+ (s)': p.t, 'latency (ms)': Math.max(0.1, p.ms), outcome: p.outcome })) },
        mark: { type: 'point', filled: true, size: 14, opacity: 0.7 },
        encoding: {
          x: { field: 'T+ (s)', type: 'quantitative', title: xTitle(fault), ...xScale(domain) },
          y: { field: 'latency (ms)', type: 'quantitative', scale: { type: 'log' } },
          color: colour,
        },
      },
    ],
  } as TopLevelSpec;
}

/** Requests per second by outcome class, stacked. */
export function throughputSpec(points: readonly ChartPoint[], fault: Span | undefined, domain?: XDomain): TopLevelSpec {
  const bins = new Map<string, { second: number; outcome: OutcomeClass; requests: number }>();
  for (const p of points) {
    const second = Math.floor(p.t);
    const key = `${second}|${p.outcome}`;
    const bin = bins.get(key) ?? { second, outcome: p.outcome, requests: 0 };
    bin.requests++;
    bins.set(key, bin);
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Throughput by outcome (requests per second)',
    width: WIDTH,
    height: 160,
    layer: [
      ...faultLayer(fault),
      {
        data: { values: [...bins.values()].map((b) => ({ 'T+ (s)': b.second, requests: b.requests, outcome: b.outcome })) },
        mark: { type: 'bar', width: { band: 1 } },
        encoding: {
          x: { field: 'T+ (s)', type: 'quantitative', title: xTitle(fault), ...xScale(domain) },
          y: { field: 'requests', type: 'quantitative', stack: 'zero', title: 'requests/s' },
          color: colour,
        },
      },
    ],
  } as TopLevelSpec;
}

/** Healthy green, on the way yellow-blue, away red, unknown grey; a drill's phases each their own hue. */
const STATE_COLOURS = new Map<string, string>(Object.entries({
  Synced: '#2ca02c', UP: '#2ca02c', running: '#2ca02c',
  'Donor/Desynced': '#bcbd22', Joined: '#17becf', Joining: '#9edae5', NOLB: '#bcbd22', DRAIN: '#bcbd22', MAINT: '#ff9896',
  down: '#d62728', DOWN: '#d62728', exited: '#d62728', paused: '#d62728', 'non-Primary': '#d62728', 'not answering': '#ff9896',
  'no data': '#c7c7c7', 'no state': '#c7c7c7',
  injected: '#d62728', errors: '#d62728', pending: '#ff7f0e', firing: '#d62728', 'firing sent': '#8c2d04', 'resolved sent': '#2ca02c',
  'steady-state-hypothesis': '#aec7e8', method: '#1f77b4', rollbacks: '#9467bd', recovery: '#c5b0d5', judgement: '#8c564b', report: '#e377c2',
}));
const OTHER_COLOURS = ['#17becf', '#bcbd22', '#7f7f7f', '#393b79', '#637939', '#8c6d31'];

/** A colour per state drawn: the same for a known state (a node's, a phase) on every lane and every refresh. */
function stateScale(labels: readonly string[]): { domain: string[]; range: string[] } {
  const domain = [...new Set(labels)];
  let other = 0;
  return { domain, range: domain.map((l) => STATE_COLOURS.get(l) ?? OTHER_COLOURS[other++ % OTHER_COLOURS.length] ?? '#7f7f7f') };
}

/** States over time as lanes on the same axis as the other charts (a drill's phases, fault and nodes; a load test's stages). */
export function lanesSpec(spans: readonly Span[], fault: Span | undefined, title: string, domain?: XDomain): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: WIDTH,
    height: { step: 22 },
    layer: [
      ...faultLayer(fault),
      {
        data: { values: spans.map((s) => ({ lane: s.lane, state: s.label, 'from (s)': s.from, 'to (s)': Math.max(s.to, s.from + 0.2) })) },
        mark: { type: 'bar', cornerRadius: 2 },
        encoding: {
          y: { field: 'lane', type: 'nominal', title: null, sort: null },
          x: { field: 'from (s)', type: 'quantitative', title: xTitle(fault), ...xScale(domain) },
          x2: { field: 'to (s)' },
          color: { field: 'state', type: 'nominal', title: 'state', scale: stateScale(spans.map((sp) => sp.label)) },
        },
      },
    ],
  } as TopLevelSpec;
}

/**
 * Latency percentiles per second (p50, p95, p99 of the requests that started in it), with a
 * horizontal rule for each latency limit (a load test's `http_req_duration:p(95)<500`).
 */
export function percentilesSpec(points: readonly ChartPoint[], limits: readonly { label: string; ms: number }[]): TopLevelSpec {
  const bySecond = new Map<number, number[]>();
  for (const p of points) {
    const second = Math.floor(p.t);
    const list = bySecond.get(second);
    if (list) list.push(p.ms);
    else bySecond.set(second, [p.ms]);
  }
  const rows: { second: number; percentile: string; ms: number }[] = [];
  for (const [second, all] of [...bySecond.entries()].sort((a, b) => a[0] - b[0])) {
    const sorted = [...all].sort((a, b) => a - b);
    for (const q of [50, 95, 99]) rows.push({ second, percentile: `p${q}`, ms: Math.max(0.1, sorted[Math.min(sorted.length - 1, Math.ceil((q / 100) * sorted.length) - 1)] ?? 0) });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Latency percentiles per second, and the thresholds',
    width: WIDTH,
    height: 220,
    layer: [
      {
        data: { values: rows.map((r) => ({ 'T+ (s)': r.second, percentile: r.percentile, 'latency (ms)': r.ms })) },
        mark: { type: 'line', point: false },
        encoding: {
          x: { field: 'T+ (s)', type: 'quantitative', title: 'seconds from the start' },
          y: { field: 'latency (ms)', type: 'quantitative', scale: { type: 'log' } },
          color: { field: 'percentile', type: 'nominal' },
        },
      },
      ...(limits.length === 0 ? [] : [{
        data: { values: limits.map((l) => ({ threshold: l.label, 'limit (ms)': l.ms })) },
        mark: { type: 'rule', color: '#d62728', strokeDash: [6, 4] },
        encoding: { y: { field: 'limit (ms)', type: 'quantitative' }, description: { field: 'threshold', type: 'nominal' } },
      }]),
    ],
  } as TopLevelSpec;
}

// The lab console's live charts: the same look on an absolute time axis (epoch ms), the
// drill's fault windows shaded, each sample drawn as a point so a reader (and a test) sees
// exactly what Prometheus answered.

/** One sample of a live series. */
export interface TimePoint {
  series: string;
  at: number;
  value: number;
}

/** A state held over a time span, on a live lane (epoch milliseconds). */
export interface TimeSpan {
  lane: string;
  label: string;
  from: number;
  to: number;
}

/**
 * Runs of one label per lane: a lane's label at each step (absent: `missing`, or no span when
 * `missing` is undefined), consecutive equal labels merged into one span [first step, next step).
 */
export function toSpans(labels: ReadonlyMap<string, ReadonlyMap<number, string>>, steps: readonly number[], stepMs: number, missing?: string): TimeSpan[] {
  const spans: TimeSpan[] = [];
  for (const [lane, byTime] of labels) {
    let open: TimeSpan | undefined;
    for (const t of steps) {
      const label = byTime.get(t) ?? missing;
      if (open !== undefined && open.label === label) {
        open.to = t + stepMs;
        continue;
      }
      if (open !== undefined) spans.push(open);
      open = label === undefined ? undefined : { lane, label, from: t, to: t + stepMs };
    }
    if (open !== undefined) spans.push(open);
  }
  return spans;
}

/** Epoch ms as minutes before the window's end (a plain number axis: the same on every chart). */
const minutesBefore = (at: number, domain: [number, number]): number => Math.round(((at - domain[1]) / 60_000) * 1000) / 1000;
const timeAxis = (domain: [number, number], field = 'minutes'): object => ({
  field,
  type: 'quantitative',
  title: `minutes before ${new Date(domain[1]).toISOString().slice(11, 19)} UTC`,
  scale: { domain: [minutesBefore(domain[0], domain), 0], nice: false, zero: false },
});

function timeShade(faults: readonly { from: number; to: number }[], domain: [number, number]): object[] {
  if (faults.length === 0) return [];
  return [{
    data: { values: faults.map((f) => ({ 'fault from': minutesBefore(f.from, domain), 'fault to': minutesBefore(f.to, domain) })) },
    mark: FAULT_SHADE,
    encoding: { x: timeAxis(domain, 'fault from'), x2: { field: 'fault to' } },
  }];
}

export function liveLineSpec(title: string, unit: string, points: readonly TimePoint[], faults: readonly { from: number; to: number }[], domain: [number, number]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: WIDTH,
    height: 120,
    layer: [
      ...timeShade(faults, domain),
      {
        data: { values: points.map((p) => ({ minutes: minutesBefore(p.at, domain), [unit]: p.value, series: p.series })) },
        mark: { type: 'line', point: { size: 12 }, interpolate: 'step-after' },
        encoding: { x: timeAxis(domain), y: { field: unit, type: 'quantitative' }, color: { field: 'series', type: 'nominal', title: null } },
      },
    ],
  } as TopLevelSpec;
}

export function liveLanesSpec(title: string, spans: readonly TimeSpan[], faults: readonly { from: number; to: number }[], domain: [number, number]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: WIDTH,
    height: { step: 18 },
    layer: [
      ...timeShade(faults, domain),
      {
        data: { values: spans.map((s) => ({ lane: s.lane, state: s.label, minutes: minutesBefore(s.from, domain), until: minutesBefore(s.to, domain) })) },
        mark: { type: 'bar', cornerRadius: 2 },
        encoding: {
          y: { field: 'lane', type: 'nominal', title: null, sort: null },
          x: timeAxis(domain),
          x2: { field: 'until' },
          color: { field: 'state', type: 'nominal', title: 'state', scale: stateScale(spans.map((sp) => sp.label)) },
        },
      },
    ],
  } as TopLevelSpec;
}

/** A Vega-Lite spec as a standalone SVG document. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
