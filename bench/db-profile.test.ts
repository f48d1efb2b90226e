import { describe, expect, it } from 'vitest';
import { addDelta, dbTimeOf, dbTimeRows, emptyDbTime } from './db-profile.ts';

const text = (create: [number, number], stats: [number, number]): string =>
  [
    '# TYPE smartshop_db_query_duration_seconds histogram',
    `smartshop_db_query_duration_seconds_bucket{le="0.01",operation="orders.create"} 1`,
    `smartshop_db_query_duration_seconds_sum{operation="orders.create"} ${create[1]}`,
    `smartshop_db_query_duration_seconds_count{operation="orders.create"} ${create[0]}`,
    `smartshop_db_query_duration_seconds_sum{operation="stats"} ${stats[1]}`,
    `smartshop_db_query_duration_seconds_count{operation="stats"} ${stats[0]}`,
  ].join('\n');

describe('database time per operation', () => {
  it('takes the difference of two scrapes and ranks operations by their share', () => {
    const t = emptyDbTime();
    addDelta(t, dbTimeOf(text([10, 0.1], [5, 0.01])), dbTimeOf(text([30, 0.5], [25, 0.11])));
    const rows = dbTimeRows(t);
    expect(rows.map((r) => r.operation)).toEqual(['orders.create', 'stats']);
    expect(rows[0]?.calls).toBe(20);
    expect(rows[0]?.meanMs).toBeCloseTo(20);
    expect(rows[0]?.share).toBeCloseTo(0.8);
    expect(rows[1]?.meanMs).toBeCloseTo(5);
  });
});
