// The benchmarks' statistics, pure: percentiles of one run's latencies, the median over
// several runs, the spread that says a run was noisy, and ratios of two sides measured
// in the same run. Latencies are in milliseconds, throughputs in operations per second.

/** Default noise threshold: the run medians' max/min above this is called noisy. */
const NOISE_THRESHOLD = 1.3;

/** Nearest-rank quantile (q in 0..1) of values already sorted ascending; NaN when empty. */
function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(Math.min(1, Math.max(0, q)) * sorted.length));
  return sorted[rank - 1] as number;
}

/** Nearest-rank quantile of unsorted values (copied, never reordered in place). */
export function quantile(values: readonly number[], q: number): number {
  return quantileSorted(sortedCopy(values), q);
}

/** The median: the mean of the two middle values for an even count; NaN when empty. */
export function median(values: readonly number[]): number {
  const finite = values.filter((v) => !Number.isNaN(v));
  if (finite.length === 0) return Number.NaN;
  const s = sortedCopy(finite);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export interface Summary {
  count: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Count, min, max, mean and nearest-rank p50/p95/p99; NaN figures when empty. */
export function summarize(values: readonly number[]): Summary {
  const s = sortedCopy(values);
  if (s.length === 0) return { count: 0, min: Number.NaN, max: Number.NaN, mean: Number.NaN, p50: Number.NaN, p95: Number.NaN, p99: Number.NaN };
  let sum = 0;
  for (const v of s) sum += v;
  return {
    count: s.length,
    min: s[0] as number,
    max: s[s.length - 1] as number,
    mean: sum / s.length,
    p50: quantileSorted(s, 0.5),
    p95: quantileSorted(s, 0.95),
    p99: quantileSorted(s, 0.99),
  };
}

/**
 * max/min of positive values: 1 means every run agreed. Infinity when one run measured 0
 * and another did not; NaN when there is nothing to compare (fewer than two values).
 */
export function spread(values: readonly number[]): number {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length < 2) return Number.NaN;
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  if (hi === 0) return 1;
  if (lo <= 0) return Number.POSITIVE_INFINITY;
  return hi / lo;
}

/** a/b, or NaN when either side is missing or b is 0. */
export function ratio(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return Number.NaN;
  return a / b;
}

/**
 * The median of per-run ratios a[i]/b[i] of two sides measured back to back in the same
 * run: drift over the whole bench (a warming cache, a neighbour's load) cancels out pair by
 * pair. Pairs with a missing side are ignored.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  const out: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const r = ratio(a[i] as number, b[i] as number);
    if (Number.isFinite(r)) out.push(r);
  }
  return median(out);
}

/** What one run of one workload measured. */
export interface RunFigures {
  /** successful operations per second */
  throughput: number;
  /** latency percentiles of the run, ms */
  p50: number;
  p95: number;
  p99: number;
  /** successful operations measured */
  count: number;
  /** failed operations (errors, timeouts, unexpected statuses) */
  errors: number;
  seconds: number;
}

/** Several runs of one workload, reduced to medians (throughput, p50, p95, p99; count and errors too), with their spread. */
export interface Aggregate extends Omit<RunFigures, 'seconds'> {
  runs: number;
  /** max/min of the runs' medians (p50) and of their throughputs */
  spreadP50: number;
  spreadThroughput: number;
  noisy: boolean;
}

export function aggregate(runs: readonly RunFigures[], threshold = NOISE_THRESHOLD): Aggregate {
  const spreadP50 = spread(runs.map((r) => r.p50));
  const spreadThroughput = spread(runs.map((r) => r.throughput));
  return {
    runs: runs.length,
    throughput: median(runs.map((r) => r.throughput)),
    p50: median(runs.map((r) => r.p50)),
    p95: median(runs.map((r) => r.p95)),
    p99: median(runs.map((r) => r.p99)),
    count: runs.reduce((n, r) => n + r.count, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    spreadP50,
    spreadThroughput,
    noisy: isNoisy(spreadP50, threshold) || isNoisy(spreadThroughput, threshold),
  };
}

/** A spread above the threshold (Infinity included); an unknown spread (one run) is not noisy. */
export function isNoisy(spreadValue: number, threshold = NOISE_THRESHOLD): boolean {
  return !Number.isNaN(spreadValue) && spreadValue > threshold;
}

/** One run's figures from its successful latencies (ms), its error count and its length. */
export function runFigures(latenciesMs: readonly number[], errors: number, seconds: number): RunFigures {
  const s = summarize(latenciesMs);
  return { throughput: seconds > 0 ? s.count / seconds : Number.NaN, p50: s.p50, p95: s.p95, p99: s.p99, count: s.count, errors, seconds };
}

function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}
