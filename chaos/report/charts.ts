// The drill reports' pictures, drawn on the server into self-contained SVG: Vega-Lite specs
// compiled and rendered by Vega's headless view (no browser, no canvas, no CDN; BSD-3).
// Vega-Lite over ECharts' SSR: a spec is plain data a reader can paste into the Vega editor,
// and its SVG labels every mark (aria-label), so a test can count what was drawn.
// After Jepsen's latency plots: every client request as a point against time (log scale),
// coloured by outcome, the fault window shaded; throughput per outcome per second; the
// state of the target and the drill's phases as lanes on the same axis.
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** One client request: seconds from the fault's start, latency, outcome class. */
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

/** The fault window as a layer: from the fault's start (0) to the rollback's start. */
function faultLayer(fault: Span): object {
  return {
    data: { values: [{ 'fault from (s)': fault.from, 'fault to (s)': fault.to }] },
    mark: FAULT_SHADE,
    encoding: { x: { field: 'fault from (s)', type: 'quantitative' }, x2: { field: 'fault to (s)' } },
  };
}

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

export function latencySpec(points: readonly ChartPoint[], fault: Span, okEvery: number): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Every client request: latency against time${okEvery > 1 ? ` (every error; 1 in ${okEvery} of the others)` : ''}, the fault window shaded`,
    width: WIDTH,
    height: 260,
    layer: [
      faultLayer(fault),
      {
        data: { values: points.map((p) => ({ 'T+ (s)': p.t, 'latency (ms)': Math.max(0.1, p.ms), outcome: p.outcome })) },
        mark: { type: 'point', filled: true, size: 14, opacity: 0.7 },
        encoding: {
          x: { field: 'T+ (s)', type: 'quantitative', title: 'seconds from the fault' },
          y: { field: 'latency (ms)', type: 'quantitative', scale: { type: 'log' } },
          color: colour,
        },
      },
    ],
  } as TopLevelSpec;
}

/** Requests per second by outcome class, stacked. */
export function throughputSpec(points: readonly ChartPoint[], fault: Span): TopLevelSpec {
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
      faultLayer(fault),
      {
        data: { values: [...bins.values()].map((b) => ({ 'T+ (s)': b.second, requests: b.requests, outcome: b.outcome })) },
        mark: { type: 'bar', width: { band: 1 } },
        encoding: {
          x: { field: 'T+ (s)', type: 'quantitative', title: 'seconds from the fault' },
          y: { field: 'requests', type: 'quantitative', stack: 'zero', title: 'requests/s' },
          color: colour,
        },
      },
    ],
  } as TopLevelSpec;
}

/** The fault, the phases and what the observer saw of the target, as lanes on the same axis. */
export function lanesSpec(spans: readonly Span[], fault: Span): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Phases, the fault and the target as HAProxy and Galera showed it',
    width: WIDTH,
    height: { step: 22 },
    layer: [
      faultLayer(fault),
      {
        data: { values: spans.map((s) => ({ lane: s.lane, state: s.label, 'from (s)': s.from, 'to (s)': Math.max(s.to, s.from + 0.2) })) },
        mark: { type: 'bar', cornerRadius: 2 },
        encoding: {
          y: { field: 'lane', type: 'nominal', title: null, sort: null },
          x: { field: 'from (s)', type: 'quantitative', title: 'seconds from the fault' },
          x2: { field: 'to (s)' },
          color: { field: 'state', type: 'nominal', title: 'state' },
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
