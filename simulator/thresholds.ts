// Pass/fail criteria of a load test, in the notation load-testing tools made familiar:
// `metric[{tag:value}]:aggregation<op>number`, for example
//   http_req_duration:p(95)<500                        (milliseconds)
//   http_req_duration{endpoint:POST /api/orders/create}:p(99)<1500
//   http_req_failed:rate<0.01                          (5xx, timeouts, connection errors)
//   journeys_completed:rate>0.95                       (of the journeys that ended: failed, limited
//                                                      at the edge and dropped ones did not complete)
// Parsed up front (a typo is a usage error before any load is sent), judged on the run's
// own statistics at the end. Pure but for the stats it is handed.
import { UsageError } from '../shared/cli-numbers.ts';
import { escapeMarkup } from '../shared/html-page.ts';
import type { RunSummary } from './engine/run.ts';

type Metric = 'http_req_duration' | 'http_req_failed' | 'journeys_completed';
type Op = '<' | '<=' | '>' | '>=';

export interface Threshold {
  /** as written */
  text: string;
  metric: Metric;
  endpoint?: string;
  /** p(N) as 'p' with quantile N/100; the others by name */
  aggregation: { kind: 'p'; q: number } | { kind: 'avg' | 'min' | 'max' | 'med' | 'rate' };
  op: Op;
  value: number;
}

export interface ThresholdResult {
  threshold: Threshold;
  /** what the run measured; undefined when it had nothing to measure */
  observed: number | undefined;
  ok: boolean;
  /** one line for people: the threshold, what was seen, and why it failed */
  detail: string;
}

const SHAPE = /^([a-z_]+)(?:\{([a-z_]+):([^}]+)\})?:(p\((\d+(?:\.\d+)?)\)|[a-z]+)\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)$/;
const AGGREGATIONS: Record<Metric, string[]> = {
  http_req_duration: ['p', 'avg', 'min', 'max', 'med'],
  http_req_failed: ['rate'],
  journeys_completed: ['rate'],
};

export function parseThreshold(text: string): Threshold {
  const m = SHAPE.exec(text.trim());
  const example = "like 'http_req_duration:p(95)<500' or 'http_req_failed:rate<0.01'";
  if (!m) throw new UsageError(`--threshold "${text}" is not metric[{endpoint:NAME}]:aggregation<op>number, ${example}`);
  const [, metric = '', tag, tagValue, agg = '', q, op = '<', value = '0'] = m;
  if (!(metric in AGGREGATIONS)) throw new UsageError(`--threshold "${text}": unknown metric ${metric} (known: ${Object.keys(AGGREGATIONS).join(', ')})`);
  const kind = agg.startsWith('p(') ? 'p' : agg;
  if (!AGGREGATIONS[metric as Metric].includes(kind)) throw new UsageError(`--threshold "${text}": ${metric} takes ${AGGREGATIONS[metric as Metric].map((a) => (a === 'p' ? 'p(N)' : a)).join(', ')}, not ${agg}`);
  if (tag !== undefined && tag !== 'endpoint') throw new UsageError(`--threshold "${text}": the only tag is endpoint, as in {endpoint:POST /api/orders/create}`);
  if (kind === 'p' && !(Number(q) > 0 && Number(q) <= 100)) throw new UsageError(`--threshold "${text}": p(N) needs 0 < N ≤ 100`);
  return {
    text: text.trim(),
    metric: metric as Metric,
    ...(tagValue !== undefined ? { endpoint: tagValue.trim() } : {}),
    aggregation: kind === 'p' ? { kind: 'p', q: Number(q) / 100 } : { kind: kind as 'avg' | 'min' | 'max' | 'med' | 'rate' },
    op: op as Op,
    value: Number(value),
  };
}

/** What a judgement needs from a finished run: its summary, and any latency quantile. */
export interface Measured {
  summary: RunSummary;
  /** seconds, or undefined when the endpoint (or the run) saw no request */
  quantile(endpoint: string | undefined, q: number): number | undefined;
}

function failedShare(outcomes: Record<string, number>): number | undefined {
  let total = 0;
  let failed = 0;
  for (const [label, n] of Object.entries(outcomes)) {
    total += n;
    if (label === 'timeout' || label === 'error' || /^5\d\d$/.test(label)) failed += n;
  }
  return total === 0 ? undefined : failed / total;
}

function observe(t: Threshold, run: Measured): number | undefined {
  const { summary } = run;
  if (t.metric === 'journeys_completed') {
    const j = summary.journeys;
    // a journey the edge refused to the end (429, its waits spent) did not complete either
    const ended = j.completed + j.failed + j.limited + j.dropped;
    return ended === 0 ? undefined : j.completed / ended;
  }
  const endpoint = t.endpoint === undefined ? undefined : summary.endpoints[t.endpoint];
  if (t.endpoint !== undefined && endpoint === undefined) return undefined;
  if (t.metric === 'http_req_failed') return failedShare(endpoint ? endpoint.outcomes : summary.requests.byOutcome);
  const latency = endpoint ? endpoint.latency : summary.latency;
  if (latency.count === 0) return undefined;
  const a = t.aggregation;
  const seconds = a.kind === 'p' ? run.quantile(t.endpoint, a.q) : a.kind === 'med' ? run.quantile(t.endpoint, 0.5) : a.kind === 'avg' ? latency.mean : a.kind === 'min' ? latency.min : latency.max;
  return seconds === undefined ? undefined : seconds * 1000;
}

function holds(observed: number, op: Op, value: number): boolean {
  switch (op) {
    case '<': return observed < value;
    case '<=': return observed <= value;
    case '>': return observed > value;
    case '>=': return observed >= value;
  }
}

export function judgeThresholds(thresholds: Threshold[], run: Measured): ThresholdResult[] {
  return thresholds.map((threshold) => {
    const observed = observe(threshold, run);
    const unit = threshold.metric === 'http_req_duration' ? ' ms' : '';
    const seen = observed === undefined ? 'nothing to measure' : `${threshold.metric === 'http_req_duration' ? observed.toFixed(1) : observed.toFixed(4)}${unit}`;
    const ok = observed !== undefined && holds(observed, threshold.op, threshold.value);
    return { threshold, observed, ok, detail: `${ok ? '✓' : '✗'} ${threshold.text}: ${seen}` };
  });
}


/** One line of a JUnit report: a threshold, or a smoke check of one endpoint. */
export interface JunitCase {
  name: string;
  ok: boolean;
  detail: string;
}

/** JUnit XML for CI (Jenkins' junit step): one test case per threshold or check. */
export function junitXml(name: string, cases: JunitCase[], seconds: number): string {
  const failures = cases.filter((c) => !c.ok).length;
  const lines = cases.map((c) => {
    const head = `    <testcase classname="loadtest.${escapeMarkup(name)}" name="${escapeMarkup(c.name)}" time="0">`;
    return c.ok ? `${head}</testcase>` : `${head}\n      <failure message="${escapeMarkup(c.detail)}">${escapeMarkup(c.detail)}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="loadtest" tests="${cases.length}" failures="${failures}" time="${seconds.toFixed(1)}">`,
    `  <testsuite name="loadtest ${escapeMarkup(name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0" time="${seconds.toFixed(1)}">`,
    ...lines,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export const thresholdCases = (results: ThresholdResult[]): JunitCase[] => results.map((r) => ({ name: r.threshold.text, ok: r.ok, detail: r.detail }));
