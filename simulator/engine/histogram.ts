// Latency percentiles from a log-bucketed histogram (the HDR / DDSketch idea): each bucket
// spans a constant relative width, so any percentile is known within ±1% of its value
// whatever the range (100 µs to 60 s), in bounded memory and O(1) per record.
// prom-client histograms only know their fixed buckets, too coarse for p99.

const RELATIVE_ACCURACY = 0.01;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** values below this (seconds) share one bucket */
const MIN_VALUE = 1e-6;

export interface Percentiles {
  count: number;
  /** seconds; 0 when nothing was recorded */
  p50: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
}

export class LatencyHistogram {
  private readonly buckets = new Map<number, number>();
  private total = 0;
  private sum = 0;
  private lowest = Number.POSITIVE_INFINITY;
  private highest = 0;

  /** record one latency in seconds */
  record(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    const key = seconds <= MIN_VALUE ? 0 : Math.ceil(Math.log(seconds / MIN_VALUE) / LOG_GAMMA);
    this.buckets.set(key, (this.buckets.get(key) ?? 0) + 1);
    this.total++;
    this.sum += seconds;
    if (seconds < this.lowest) this.lowest = seconds;
    if (seconds > this.highest) this.highest = seconds;
  }

  get count(): number {
    return this.total;
  }

  merge(other: LatencyHistogram): void {
    for (const [key, n] of other.buckets) this.buckets.set(key, (this.buckets.get(key) ?? 0) + n);
    this.total += other.total;
    this.sum += other.sum;
    this.lowest = Math.min(this.lowest, other.lowest);
    this.highest = Math.max(this.highest, other.highest);
  }

  /** the value at quantile q (0..1), nearest-rank, within ±1%, clamped to the observed min/max */
  quantile(q: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.total));
    const keys = [...this.buckets.keys()].sort((a, b) => a - b);
    let seen = 0;
    for (const key of keys) {
      seen += this.buckets.get(key) ?? 0;
      if (seen >= rank) {
        // the bucket's representative value: the point of least relative error in it
        const value = key === 0 ? MIN_VALUE : (MIN_VALUE * 2 * Math.pow(GAMMA, key)) / (GAMMA + 1);
        return Math.min(this.highest, Math.max(this.lowest, value));
      }
    }
    return this.highest;
  }

  percentiles(): Percentiles {
    return {
      count: this.total,
      p50: this.quantile(0.5),
      p95: this.quantile(0.95),
      p99: this.quantile(0.99),
      min: this.total === 0 ? 0 : this.lowest,
      max: this.highest,
      mean: this.total === 0 ? 0 : this.sum / this.total,
    };
  }
}
