import { describe, expect, it } from 'vitest';
import { DEFAULT_STATS_SIZES, OptionsError, parseOnly, parseOptions, parseSizes } from './options.ts';

describe('parseOptions', () => {
  it('has full-run defaults: every section, 5 runs of 5 s, 10 in flight, 10k/100k/1M', () => {
    const o = parseOptions([], {});
    expect(o.quick).toBe(false);
    expect(o.only).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(o.runs).toBe(5);
    expect(o.seconds).toBe(5);
    expect(o.concurrency).toBe(10);
    expect(o.statsSizes).toEqual(DEFAULT_STATS_SIZES);
    expect(o.noiseThreshold).toBe(1.3);
    expect(o.maxMinutes).toBe(14);
  });

  it('--quick shortens the defaults but not explicit values', () => {
    const q = parseOptions(['--quick'], {});
    expect(q.quick).toBe(true);
    expect(q.runs).toBe(2);
    expect(q.seconds).toBe(2);
    expect(q.statsSizes).toEqual([10_000, 100_000]);
    const explicit = parseOptions(['--quick', '--runs', '4'], { BENCH_STATS_SIZES: '1000' });
    expect(explicit.runs).toBe(4);
    expect(explicit.statsSizes).toEqual([1000]);
  });

  it('reads --only in both spellings, and argv wins over the environment', () => {
    expect(parseOptions(['--only', '3,5'], {}).only).toEqual([3, 5]);
    expect(parseOptions(['--only=5,3,3'], {}).only).toEqual([3, 5]);
    expect(parseOptions([], { BENCH_ONLY: '6' }).only).toEqual([6]);
    expect(parseOptions(['--only', '1'], { BENCH_ONLY: '6' }).only).toEqual([1]);
    expect(parseOptions(['--seconds=1.5'], { BENCH_SECONDS: '9' }).seconds).toBe(1.5);
    expect(parseOptions([], { BENCH_CONCURRENCY: '32' }).concurrency).toBe(32);
  });

  it('rejects unknown options, missing values and out-of-range numbers', () => {
    expect(() => parseOptions(['--fast'], {})).toThrow(OptionsError);
    expect(() => parseOptions(['--only'], {})).toThrow(/needs a value/);
    expect(() => parseOptions(['--quick=yes'], {})).toThrow(/takes no value/);
    expect(() => parseOptions(['stray'], {})).toThrow(/unexpected argument/);
    expect(() => parseOptions(['--runs', '0'], {})).toThrow(/between 1 and 20/);
    expect(() => parseOptions(['--concurrency', '2.5'], {})).toThrow(/whole number/);
    expect(() => parseOptions([], { BENCH_NOISE_THRESHOLD: 'x' })).toThrow(OptionsError);
  });

  it('knows --help and -h', () => {
    expect(parseOptions(['--help'], {}).help).toBe(true);
    expect(parseOptions(['-h'], {}).help).toBe(true);
  });
});

describe('parseOnly', () => {
  it('accepts commas and spaces, keeps section order', () => {
    expect(parseOnly('4 2,1')).toEqual([1, 2, 4]);
  });

  it('rejects what is not a section', () => {
    expect(() => parseOnly('12')).toThrow(/not a section/);
    expect(() => parseOnly('a')).toThrow(OptionsError);
    expect(() => parseOnly(' , ')).toThrow(/at least one/);
  });
});

describe('parseSizes', () => {
  it('sorts, de-duplicates and accepts underscores and exponents', () => {
    expect(parseSizes('1_000_000, 10000,1e5,10000')).toEqual([10_000, 100_000, 1_000_000]);
  });

  it('rejects fractions, zero and sizes above the bound', () => {
    expect(() => parseSizes('1.5')).toThrow(OptionsError);
    expect(() => parseSizes('0')).toThrow(OptionsError);
    expect(() => parseSizes('100000000')).toThrow(/between 1 and/);
    expect(() => parseSizes('')).toThrow(/at least one/);
  });
});
