import { describe, expect, it } from 'vitest';
import { mixSeed, Prng } from './prng.ts';

describe('Prng', () => {
  it('repeats the same sequence for the same seed', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const seqA = Array.from({ length: 100 }, () => a.next());
    const seqB = Array.from({ length: 100 }, () => b.next());
    expect(seqA).toEqual(seqB);
  });

  it('gives different sequences for neighbouring seeds', () => {
    const a = Array.from({ length: 10 }, (_, i) => new Prng(i).next());
    expect(new Set(a).size).toBe(10);
    expect(mixSeed(1)).not.toBe(mixSeed(2));
  });

  it('stays in range and is roughly uniform', () => {
    const rng = new Prng(7);
    const counts = [0, 0, 0, 0, 0, 0];
    const n = 60_000;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const v = rng.int(1, 6);
      if (v < 1 || v > 6) outside++;
      else counts[v - 1]!++;
    }
    expect(outside).toBe(0);
    // each face: binomial(n, 1/6), sd ≈ 91; 4.5 sd ≈ 410
    for (const c of counts) expect(Math.abs(c - n / 6)).toBeLessThan(410);
  });

  it('chance(p) hits p within 4.5 standard deviations', () => {
    const rng = new Prng(123);
    const n = 20_000;
    let hits = 0;
    for (let i = 0; i < n; i++) if (rng.chance(0.8)) hits++;
    const sd = Math.sqrt(n * 0.8 * 0.2);
    expect(Math.abs(hits - n * 0.8)).toBeLessThan(4.5 * sd);
  });

  it('exponential variates have mean 1', () => {
    const rng = new Prng(9);
    const n = 20_000;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += rng.exponential();
    expect(Math.abs(sum / n - 1)).toBeLessThan(4.5 / Math.sqrt(n));
  });
});
