import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './histogram.ts';

describe('LatencyHistogram', () => {
  it('reports zeros when empty', () => {
    expect(new LatencyHistogram().percentiles()).toEqual({ count: 0, p50: 0, p95: 0, p99: 0, min: 0, max: 0, mean: 0 });
  });

  it('returns the exact value when all samples are equal', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 10; i++) h.record(0.0123);
    const p = h.percentiles();
    expect(p.p50).toBe(0.0123);
    expect(p.p99).toBe(0.0123);
  });

  it('computes nearest-rank percentiles within 1% on 1..10000 ms', () => {
    const h = new LatencyHistogram();
    // shuffled insertion order must not matter
    const values = Array.from({ length: 10_000 }, (_, i) => (i + 1) / 1000);
    for (let i = values.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [values[i], values[j]] = [values[j]!, values[i]!];
    }
    for (const v of values) h.record(v);
    const p = h.percentiles();
    expect(p.count).toBe(10_000);
    expect(Math.abs(p.p50 - 5.0) / 5.0).toBeLessThan(0.01);
    expect(Math.abs(p.p95 - 9.5) / 9.5).toBeLessThan(0.01);
    expect(Math.abs(p.p99 - 9.9) / 9.9).toBeLessThan(0.01);
    expect(p.max).toBe(10);
    expect(p.min).toBe(0.001);
    expect(p.mean).toBeCloseTo(5.0005, 6);
  });

  it('sees a slow tail: 98 fast and 2 slow requests put p99 in the tail', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 98; i++) h.record(0.01);
    h.record(2);
    h.record(3);
    expect(h.quantile(0.5)).toBeCloseTo(0.01, 3);
    expect(h.quantile(0.98)).toBeCloseTo(0.01, 3);
    expect(Math.abs(h.quantile(0.99) - 2) / 2).toBeLessThan(0.01);
  });

  it('merges', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    a.record(0.001);
    b.record(1);
    a.merge(b);
    expect(a.count).toBe(2);
    expect(a.percentiles().max).toBe(1);
  });

  it('ignores negative and non-finite values', () => {
    const h = new LatencyHistogram();
    h.record(-1);
    h.record(Number.NaN);
    expect(h.count).toBe(0);
  });
});
