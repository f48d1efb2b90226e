import { describe, expect, it } from 'vitest';
import { compareChecksums } from './consistency.ts';

describe('compareChecksums', () => {
  it('is consistent when every node has the same counts and checksums', () => {
    const n = (node: string) => ({ node, tables: { orders: '10:123', payments: '4:9' } });
    expect(compareChecksums([n('a'), n('b'), n('c')])).toEqual({ consistent: true, differing: [] });
  });
  it('names the differing table and each node`s value', () => {
    const r = compareChecksums([
      { node: 'a', tables: { orders: '10:123', payments: '4:9' } },
      { node: 'b', tables: { orders: '9:77', payments: '4:9' } },
    ]);
    expect(r.consistent).toBe(false);
    expect(r.differing).toEqual([{ table: 'orders', values: { a: '10:123', b: '9:77' } }]);
  });
  it('is not consistent when a node could not be read, or none was', () => {
    expect(compareChecksums([{ node: 'a', tables: { t: '1:1' } }, { node: 'b', tables: {}, error: 'down' }]).consistent).toBe(false);
    expect(compareChecksums([]).consistent).toBe(false);
  });
});
