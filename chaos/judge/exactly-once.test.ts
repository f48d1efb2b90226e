import { describe, expect, it } from 'vitest';
import type { LedgerExport } from '../../simulator/index.ts';
import { exactlyOnceFindings, judgeExactlyOnce } from './exactly-once.ts';

const at = '2026-12-01T00:00:00.000Z';
function ledger(over: Partial<LedgerExport> = {}): LedgerExport {
  return {
    target: 'http://127.0.0.1:8000',
    startedAt: at,
    exportedAt: at,
    users: [{ id: 11, name: 'a', email: 'a@example.com', ackAt: at }],
    orders: [{ id: 21, userId: 11, productId: 1, quantity: 1, amount: 89.99, status: 'paid', ackAt: at }],
    payments: [{ id: 31, orderId: 21, status: 'success', amount: 89.99, ackAt: at }],
    uncertain: [],
    rejected: [],
    limited: [],
    answers: [{ method: 'POST', path: '/api/orders/create', idempotencyKey: 'k', body: {}, status: 201, answer: { id: 21 }, replayed: true }],
    fulfilments: [],
    ...over,
  };
}
const none = { checked: 1, mismatches: [] };

describe('judgeExactlyOnce', () => {
  it('passes when the rows created are exactly the rows the answers name', () => {
    const r = judgeExactlyOnce(ledger(), { users: ['11'], orders: ['21'], payments: ['31'] }, none);
    expect(r.orphans).toEqual([]);
    expect(r.duplicates).toBe(0);
    expect(r.replayedDuringTraffic).toBe(1);
    expect(exactlyOnceFindings(r)).toEqual({ failures: [], deviations: [] });
  });

  it('fails on a row no answer names when every write got an answer (a retried key did the work twice)', () => {
    const r = judgeExactlyOnce(ledger(), { users: ['11'], orders: ['21', '22'], payments: ['31'] }, none);
    expect(r.orphans).toEqual([{ table: 'orders', id: '22' }]);
    expect(r.duplicates).toBe(1);
    expect(exactlyOnceFindings(r).failures[0]).toContain('1 effect(s) no answer names');
    expect(exactlyOnceFindings(r).failures[0]).toContain('order 22');
  });

  it('only deviates when the orphans may be the writes that never got an answer', () => {
    const uncertain = [{ endpoint: 'POST /api/orders/create', path: '/api/orders/create', idempotencyKey: 'u', lastOutcome: 'timeout', at }];
    const r = judgeExactlyOnce(ledger({ uncertain }), { users: ['11'], orders: ['21', '22'], payments: ['31'] }, none);
    expect(r.duplicates).toBe(0);
    const f = exactlyOnceFindings(r);
    expect(f.failures).toEqual([]);
    expect(f.deviations[0]).toContain('exactly-once not proven');
  });

  it('fails on a final 4xx for a legal step and on a replay that differs', () => {
    const rejected = [{ endpoint: 'POST /api/payments/process/:orderId', path: '/api/payments/process/21', idempotencyKey: 'p', status: 409, error: 'illegal_transition', at }];
    const r = judgeExactlyOnce(ledger({ rejected }), { users: ['11'], orders: ['21'], payments: ['31'] }, { checked: 1, mismatches: [{ path: '/api/orders/create', key: 'k', detail: 'a different body' }] });
    const f = exactlyOnceFindings(r);
    expect(f.failures).toHaveLength(2);
    expect(f.failures.join(' ')).toContain('/api/payments/process/21 → 409 illegal_transition');
    expect(f.failures.join(' ')).toContain('a different body');
  });
});
