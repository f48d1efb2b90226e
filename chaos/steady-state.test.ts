import { describe, expect, it } from 'vitest';
import { percentile } from './steady-state.ts';

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([3, 1, 2], 100)).toBe(3);
  });
  it('is undefined without samples', () => {
    expect(percentile([], 99)).toBeUndefined();
  });
});
