import { describe, expect, it } from 'vitest';
import { compareDigests, parseVerifyOutput, type NodeDigest } from './verify.ts';
import { isHealthyNode, describeNodeState, type NodeState } from './node-state.ts';

describe('the verify script', () => {
  it('reads its output', () => {
    const out = 'status\twsrep_last_committed\t22\ncount\tusers\t5\nsmartshop.users\t1234\ncount\tempty\t0\nsmartshop.empty\t0\n';
    expect(parseVerifyOutput(out, 'smartshop')).toEqual({
      status: { wsrep_last_committed: '22' },
      tables: { users: { rows: 5, checksum: '1234' }, empty: { rows: 0, checksum: '0' } },
    });
  });
});

describe('compareDigests', () => {
  const node = (name: string, tables: NodeDigest['tables']): NodeDigest => ({ node: name, lastCommitted: '1', clusterStatus: 'Primary', localState: 'Synced', clusterSize: '3', tables });

  it('finds nothing when all nodes agree', () => {
    const t = { users: { rows: 2, checksum: '9' } };
    expect(compareDigests([node('a', t), node('b', t), node('c', t)])).toEqual([]);
  });

  it('names the table and every node value when one differs or misses a table', () => {
    const d = compareDigests([
      node('a', { users: { rows: 2, checksum: '9' }, orders: { rows: 1, checksum: '1' } }),
      node('b', { users: { rows: 3, checksum: '7' }, orders: { rows: 1, checksum: '1' } }),
      node('c', { users: { rows: 2, checksum: '9' } }),
    ]);
    expect(d.map((x) => x.table)).toEqual(['orders', 'users']);
    expect(d[0]?.values.c).toBe('missing');
    expect(d[1]?.values.b).toBe('3 rows, checksum 7');
  });
});

describe('node state', () => {
  const synced: NodeState = { node: 'mariadb-1', container: 'lab-mariadb-1-1', docker: 'running', clusterStatus: 'Primary', localState: 'Synced', ready: true, clusterSize: 3, lastCommitted: 7 };

  it('is healthy when Synced, Primary, ready and in a cluster of the expected size', () => {
    expect(isHealthyNode(synced, 3)).toBe(true);
    expect(isHealthyNode({ ...synced, clusterStatus: 'non-Primary' }, 3)).toBe(false);
    expect(isHealthyNode({ ...synced, localState: 'Joining' }, 3)).toBe(false);
    expect(isHealthyNode(synced, 2)).toBe(false);
  });

  it('reads as one line for people', () => {
    expect(describeNodeState(synced)).toBe('mariadb-1: Synced, Primary, cluster size 3, ready ON, last committed 7');
    expect(describeNodeState({ node: 'mariadb-2', container: '', docker: 'missing' })).toBe('mariadb-2: container missing');
    expect(describeNodeState({ node: 'mariadb-3', container: 'x', docker: 'running', error: 'ERROR 2002' })).toBe('mariadb-3: running, mariadbd not answering yet (ERROR 2002)');
  });
});
