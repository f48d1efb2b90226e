import { describe, expect, it } from 'vitest';
import { SHARDS, StatTally, decimalToCents, shardFor } from './stat-counters.ts';

describe('stat counters', () => {
  it('gives each Galera node shards of its own, so writers on two nodes never share a counter row', () => {
    const of = (node: number): Set<number> => new Set(Array.from({ length: 200 }, (_, i) => shardFor(node, () => (i % 10) / 10)));
    const [a, b, c] = [of(0), of(1), of(2)];
    for (const s of a) expect(b.has(s) || c.has(s)).toBe(false);
    for (const s of b) expect(c.has(s)).toBe(false);
    for (const s of [...a, ...b, ...c]) expect(s).toBeGreaterThanOrEqual(0);
    for (const s of [...a, ...b, ...c]) expect(s).toBeLessThan(SHARDS);
  });

  it('turns DECIMAL strings into exact cents', () => {
    expect(decimalToCents('179.98')).toBe(17998);
    expect(decimalToCents('89.9')).toBe(8990);
    expect(decimalToCents('7')).toBe(700);
    expect(() => decimalToCents('1e3')).toThrow();
  });

  it('flushes what a transaction changed in at most two upserts, sorted, on one shard', () => {
    const t = new StatTally(5);
    t.payment('success', '89.99');
    t.activity('low');
    t.orderLeftPending();
    t.orderLeftPending();
    t.orderCreated();
    const [totals, windows] = t.statements();
    expect(t.statements()).toHaveLength(2);
    // orders_pending: +1 -2 = -1; revenue and payments in exact cents, shard 5 everywhere
    expect(totals?.params).toEqual(['orders_pending', 5, -1, 'payments_success', 5, 1, 'revenue_cents', 5, 8999]);
    expect(windows?.params).toEqual(['activity_low', 5, 1, 'orders', 5, 1, 'payments_success', 5, 1, 'revenue_cents', 5, 8999]);
  });

  it('writes nothing for a tally that nets to zero', () => {
    const t = new StatTally(0);
    t.orderCreated();
    t.orderLeftPending();
    expect(t.statements().map((s) => s.params[0])).toEqual(['orders']);
  });
});
