import { describe, expect, it } from 'vitest';
import { parseBatch } from './node-sql.ts';

describe('parseBatch', () => {
  it('splits rows and tab-separated columns and unescapes batch escapes', () => {
    expect(parseBatch('1\tpaid\n2\tpending\n')).toEqual([['1', 'paid'], ['2', 'pending']]);
    expect(parseBatch('a\\tb\tc\\nd\tNULL\n')).toEqual([['a\tb', 'c\nd', 'NULL']]);
    expect(parseBatch('')).toEqual([]);
  });
});
