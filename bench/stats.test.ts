import { describe, expect, it } from 'vitest';
import { aggregate, isNoisy, median, pairedRatio, quantile, ratio, runFigures, spread, summarize, type RunFigures } from './stats.ts';

const run = (throughput: number, p50: number, extra: Partial<RunFigures> = {}): RunFigures => ({
  throughput,
  p50,
  p95: p50 * 2,
  p99: p50 * 3,
  count: 100,
  errors: 0,
  seconds: 1,
  ...extra,
});

describe('quantile (nearest rank)', () => {
  it('picks the value at rank ceil(q·n) on 1..100', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // unsorted on purpose
    expect(quantile(values, 0.5)).toBe(50);
    expect(quantile(values, 0.95)).toBe(95);
    expect(quantile(values, 0.99)).toBe(99);
    expect(quantile(values, 1)).toBe(100);
    expect(quantile(values, 0)).toBe(1);
  });

  it('does not reorder its input and is NaN when empty', () => {
    const values = [3, 1, 2];
    quantile(values, 0.5);
    expect(values).toEqual([3, 1, 2]);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('gives the largest value for p99 of few samples', () => {
    expect(quantile([5, 1, 9, 7], 0.99)).toBe(9);
    expect(quantile([5, 1, 9, 7], 0.5)).toBe(5);
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('ignores NaN and is NaN when nothing is left', () => {
    expect(median([Number.NaN, 4, 2])).toBe(3);
    expect(median([])).toBeNaN();
    expect(median([Number.NaN])).toBeNaN();
  });
});

describe('summarize', () => {
  it('gives count, min, max, mean and the percentiles', () => {
    const s = summarize(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(s).toEqual({ count: 1000, min: 1, max: 1000, mean: 500.5, p50: 500, p95: 950, p99: 990 });
  });

  it('is NaN throughout (count 0) when empty', () => {
    const s = summarize([]);
    expect(s.count).toBe(0);
    expect(s.p50).toBeNaN();
    expect(s.mean).toBeNaN();
  });
});

describe('spread and noise', () => {
  it('is max/min of the values', () => {
    expect(spread([10, 12, 13])).toBeCloseTo(1.3);
    expect(spread([5, 5])).toBe(1);
  });

  it('is NaN with fewer than two values, Infinity when one run measured 0', () => {
    expect(spread([4])).toBeNaN();
    expect(spread([])).toBeNaN();
    expect(spread([0, 3])).toBe(Number.POSITIVE_INFINITY);
    expect(spread([0, 0])).toBe(1);
  });

  it('calls a spread above the threshold noisy, not one at it, and not an unknown one', () => {
    expect(isNoisy(1.31)).toBe(true);
    expect(isNoisy(1.3)).toBe(false);
    expect(isNoisy(Number.NaN)).toBe(false);
    expect(isNoisy(Number.POSITIVE_INFINITY)).toBe(true);
    expect(isNoisy(1.2, 1.1)).toBe(true);
  });
});

describe('ratios', () => {
  it('divides, NaN when a side is missing or the divisor is 0', () => {
    expect(ratio(6, 3)).toBe(2);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(Number.NaN, 2)).toBeNaN();
  });

  it('pairs runs and takes the median of the per-run ratios', () => {
    // drift: both sides get slower run by run, the per-run ratio stays 2
    expect(pairedRatio([200, 100, 50], [100, 50, 25])).toBe(2);
    // an outlier pair does not move the median
    expect(pairedRatio([2, 2, 2, 100], [1, 1, 1, 1])).toBe(2);
    // pairs with a missing side are left out; extra runs on one side are ignored
    expect(pairedRatio([4, Number.NaN, 6], [2, 1, 3, 9])).toBe(2);
    expect(pairedRatio([], [])).toBeNaN();
  });
});

describe('aggregate', () => {
  it('takes medians over runs and sums counts and errors', () => {
    const a = aggregate([run(100, 2, { errors: 1 }), run(120, 3), run(110, 2.5, { errors: 2 })]);
    expect(a.runs).toBe(3);
    expect(a.throughput).toBe(110);
    expect(a.p50).toBe(2.5);
    expect(a.p95).toBe(5);
    expect(a.p99).toBe(7.5);
    expect(a.count).toBe(300);
    expect(a.errors).toBe(3);
    expect(a.spreadP50).toBeCloseTo(1.5);
    expect(a.spreadThroughput).toBeCloseTo(1.2);
    expect(a.noisy).toBe(true); // the medians spread 1.5×
  });

  it('is quiet when runs agree, and with a single run', () => {
    expect(aggregate([run(100, 2), run(105, 2.1), run(98, 2.05)]).noisy).toBe(false);
    const one = aggregate([run(100, 2)]);
    expect(one.noisy).toBe(false);
    expect(one.spreadP50).toBeNaN();
  });

  it('flags a throughput spread even when the medians agree', () => {
    expect(aggregate([run(100, 2), run(200, 2)]).noisy).toBe(true);
    expect(aggregate([run(100, 2), run(200, 2)], 2.5).noisy).toBe(false);
  });
});

describe('runFigures', () => {
  it('derives throughput from the successful latencies and the length', () => {
    const f = runFigures([1, 2, 3, 4], 1, 2);
    expect(f.throughput).toBe(2);
    expect(f.count).toBe(4);
    expect(f.errors).toBe(1);
    expect(f.p50).toBe(2);
    expect(f.p99).toBe(4);
  });

  it('is NaN for a zero-length run', () => {
    expect(runFigures([1], 0, 0).throughput).toBeNaN();
  });
});
