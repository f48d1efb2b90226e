import { describe, expect, it } from 'vitest';
import type { LedgerExport } from '../../simulator/index.ts';
import type { LedgerCheck } from './read-nodes.ts';
import { judgeRestore, restoreFindings, splitLedger, type RestoreWindow } from './restore.ts';

const t = (s: number): string => new Date(Date.UTC(2026, 11, 2, 19, 0, s)).toISOString();
const at = (s: number): number => Date.parse(t(s));

// users acknowledged at 0 s (before the backup), 15 s (during it), 30 s (after it), 50 s (after the disaster)
const ledger = (upTo: number): LedgerExport => ({
  target: 'x', startedAt: t(0), exportedAt: t(upTo),
  users: [0, 15, 30, 50].filter((s) => s <= upTo).map((s) => ({ id: 100 + s, name: null, email: null, ackAt: t(s) })),
  orders: [{ id: 7, userId: 100, productId: 1, quantity: 1, amount: 10, status: 'paid', ackAt: t(30) }],
  payments: [],
  uncertain: [], rejected: [], limited: [], answers: [], fulfilments: [],
});

const window = (mode: RestoreWindow['mode']): RestoreWindow => ({
  mode, backupId: 'b1', backupStartedAt: at(10), backupFinishedAt: at(20), disaster: 'DROP TABLE orders on mariadb-1', disasterAt: at(40), restoreSeconds: 50,
});

const check = (missing: string[], reusedIds: string[] = []): LedgerCheck => ({
  result: {
    acknowledged: { users: 0, orders: 0, payments: 0 }, foundOnEveryNode: 0,
    missing: missing.map((m) => ({ kind: m.split(' ')[0] as 'user', id: m.split(' ')[1] ?? '', nodes: ['mariadb-1'] })),
    regressed: [], reusedIds, unreadableNodes: [],
  },
  staleReads: [], staleMissing: 0,
});

describe('restore judgement', () => {
  it('point in time: every write acknowledged before the disaster is required', () => {
    const { required, notInBackup } = splitLedger(ledger(40), window('point-in-time'));
    expect(required.users.map((u) => u.id)).toEqual(['100', '115', '130']);
    expect(required.orders.map((o) => o.id)).toEqual(['7']);
    expect(notInBackup).toBeUndefined();
  });

  it('backup only: what came before the backup is required, what came after it cannot be back, what it overlapped is neither', () => {
    const { required, notInBackup } = splitLedger(ledger(40), window('backup-only'));
    expect(required.users.map((u) => u.id)).toEqual(['100']);
    expect(notInBackup?.users.map((u) => u.id)).toEqual(['130']);
    expect(notInBackup?.orders.map((o) => o.id)).toEqual(['7']);
  });

  it('RPO in writes and seconds from the first lost write to the disaster, RTO from the disaster to the steady state; later writes counted apart', () => {
    const r = judgeRestore(window('backup-only'), ledger(40), ledger(50), { required: check([]), notInBackup: check(['user 130', 'order 7'], ['order 7']) }, at(100));
    expect(r.rpo).toEqual({ writes: 2, seconds: 10, ids: ['user 130', 'order 7'] });
    expect(r.notInBackup).toEqual({ acknowledged: 2, lost: ['user 130', 'order 7'], found: [] });
    expect(r.rtoSeconds).toBe(60);
    expect(r.acknowledgedAfterDisaster).toBe(1);
    expect(r.reusedIds).toEqual(['order 7']);
    // a backup alone cannot know a dropped table's counter: a reused id is its cost, named, not a deviation
    expect(restoreFindings(r)).toEqual({ failures: [], deviations: [] });
  });

  it('point in time: nothing lost is RPO 0; a reused id or a write after the backup found in it deviates; a failed restore fails', () => {
    const ok = judgeRestore(window('point-in-time'), ledger(40), ledger(50), { required: check([]) }, at(95));
    expect(ok.rpo).toEqual({ writes: 0, seconds: 0, ids: [] });
    expect(restoreFindings(ok)).toEqual({ failures: [], deviations: [] });
    const reused = judgeRestore(window('point-in-time'), ledger(40), ledger(50), { required: check(['user 115'], ['user 115']) }, at(95));
    expect(reused.rpo.writes).toBe(1);
    expect(restoreFindings(reused).deviations[0]).toContain('1 acknowledged id(s) were handed out again');
    const inBackup = judgeRestore(window('backup-only'), ledger(40), ledger(40), { required: check([]), notInBackup: check([]) }, at(95));
    expect(restoreFindings(inBackup).deviations[0]).toContain('2 write(s) acknowledged after the backup finished are in it');
    const { restoreSeconds: _, ...failedWindow } = window('point-in-time');
    expect(restoreFindings(judgeRestore(failedWindow, ledger(40), ledger(40), { required: check([]) }, undefined)).failures).toEqual(['the restore of backup b1 failed']);
  });

  it("archived logs: all but the archive's last seconds before the disaster are required; those lost in its lag are the RPO, named, not a failure", () => {
    // users at 0, 15, 30, 38 s; the disaster at 40 s: the last 3 s (the stream's lag) hold user 138
    const l = ledger(40);
    l.users.push({ id: 138, name: null, email: null, ackAt: t(38) });
    const split = splitLedger(l, window('archived-logs'));
    expect(split.required.users.map((u) => u.id)).toEqual(['100', '115', '130']);
    expect(split.inStreamLag?.users.map((u) => u.id)).toEqual(['138']);
    expect(split.notInBackup).toBeUndefined();
    const r = judgeRestore(window('archived-logs'), l, l, { required: check([]), inStreamLag: check(['user 138'], ['user 138']) }, at(100));
    expect(r.inStreamLag).toEqual({ acknowledged: 1, lost: ['user 138'] });
    expect(r.rpo).toEqual({ writes: 1, seconds: 2, ids: ['user 138'] });
    expect(restoreFindings(r)).toEqual({ failures: [], deviations: [] });
  });
});
