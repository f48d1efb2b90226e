import { describe, expect, it } from 'vitest';
import { escapeCell, fmtBytes, fmtChange, fmtCount, fmtMs, fmtRate, fmtRatio, fmtSeconds, fmtSpread, markdownTable } from './format.ts';

describe('markdownTable', () => {
  it('renders a header, an alignment rule and padded rows; first column left, others right', () => {
    const t = markdownTable({ headers: ['name', 'ops/s'], rows: [['stats', '1,234'], ['orders', '56']] });
    expect(t.split('\n')).toEqual([
      '| name   | ops/s |',
      '| ------ | ----: |',
      '| stats  | 1,234 |',
      '| orders |    56 |',
    ]);
  });

  it('follows an explicit alignment', () => {
    const t = markdownTable({ headers: ['a', 'b'], align: ['right', 'left'], rows: [['1', 'x']] });
    expect(t.split('\n')[1]).toBe('| --: | --- |');
    expect(t.split('\n')[2]).toBe('|   1 | x   |');
  });

  it('pads short rows, cuts long ones and escapes pipes and newlines', () => {
    const t = markdownTable({ headers: ['a', 'b'], rows: [['x'], ['1', '2', '3'], ['p|q', 'two\nlines']] }).split('\n');
    expect(t[2]).toBe('| x    |           |');
    expect(t[3]).toBe('| 1    |         2 |');
    expect(t[4]).toBe('| p\\|q | two lines |');
  });

  it('is empty without headers', () => {
    expect(markdownTable({ headers: [], rows: [['x']] })).toBe('');
  });

  it('escapes backslashes before pipes', () => {
    expect(escapeCell('a\\|b')).toBe('a\\\\\\|b');
  });
});

describe('number formats', () => {
  it('writes milliseconds with at most 3 significant digits', () => {
    expect(fmtMs(0.41234)).toBe('0.412');
    expect(fmtMs(4.1234)).toBe('4.12');
    expect(fmtMs(41.234)).toBe('41.2');
    expect(fmtMs(412.34)).toBe('412');
    expect(fmtMs(4123.4)).toBe('4,123');
    expect(fmtMs(0)).toBe('0');
    expect(fmtMs(Number.NaN)).toBe('—');
  });

  it('writes rates whole from 100 up', () => {
    expect(fmtRate(12345.6)).toBe('12,346');
    expect(fmtRate(42.345)).toBe('42.3');
    expect(fmtRate(Number.POSITIVE_INFINITY)).toBe('—');
  });

  it('writes ratios with two decimals, one from 10 up', () => {
    expect(fmtRatio(2.3149)).toBe('2.31×');
    expect(fmtRatio(0.9)).toBe('0.90×');
    expect(fmtRatio(12.34)).toBe('12.3×');
    expect(fmtRatio(Number.NaN)).toBe('—');
    expect(fmtRatio(Number.POSITIVE_INFINITY)).toBe('∞');
  });

  it('flags a spread above the threshold', () => {
    expect(fmtSpread(1.12, 1.3)).toBe('1.12×');
    expect(fmtSpread(1.45, 1.3)).toBe('1.45× ⚠');
    expect(fmtSpread(Number.NaN, 1.3)).toBe('—');
  });

  it('writes counts, seconds, bytes and changes', () => {
    expect(fmtCount(1_000_000)).toBe('1,000,000');
    expect(fmtSeconds(2.44)).toBe('2.4 s');
    expect(fmtSeconds(undefined)).toBe('—');
    expect(fmtBytes(512)).toBe('512 B');
    expect(fmtBytes(1536)).toBe('1.5 KiB');
    expect(fmtBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
    expect(fmtChange(0.87)).toBe('−13%');
    expect(fmtChange(1.2)).toBe('+20%');
    expect(fmtChange(1.001)).toBe('±0%');
  });
});
