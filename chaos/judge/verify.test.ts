// The drills' judgement as the exported metric's input: the same rules as `stack verify`'s
// (a node down or unreadable leaves nothing compared, a differing table is named).
import { describe, expect, it } from 'vitest';
import { renderConsistencyMetrics } from '../../stack/index.ts';
import { toConsistencyCheck } from './verify.ts';

describe('toConsistencyCheck', () => {
  const tables = { orders: '10:123', payments: '4:9' };

  it('reads tables, differing tables and readable nodes from the judgement', () => {
    expect(toConsistencyCheck({
      consistent: false,
      attempts: 5,
      nodes: [{ node: 'mariadb-1', tables }, { node: 'mariadb-2', tables: { ...tables, orders: '9:77' } }, { node: 'mariadb-3', tables: {}, error: 'container exited' }],
      differing: [{ table: 'orders', values: { 'mariadb-1': '10:123', 'mariadb-2': '9:77' } }],
    }, 3)).toEqual({ tables: ['orders', 'payments'], diverged: ['orders'], nodesRead: 2, nodesExpected: 3 });
  });

  it('counts a node that was not read (not running) as missing', () => {
    const check = toConsistencyCheck({ consistent: false, attempts: 1, nodes: [{ node: 'mariadb-1', tables }, { node: 'mariadb-2', tables }], differing: [], note: 'not running: mariadb-3 (exited)' }, 3);
    expect(check.nodesRead).toBe(2);
    expect(renderConsistencyMetrics(check, new Date(0))).toContain('smartshop_cluster_consistent{table="orders"} 0');
  });
});
