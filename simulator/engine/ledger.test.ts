import { describe, expect, it } from 'vitest';
import { Ledger } from './ledger.ts';

describe('Ledger', () => {
  it('keeps the last acknowledged state of each order and exports everything', () => {
    const l = new Ledger('http://shop', '2026-01-01T00:00:00.000Z');
    l.recordUser({ id: 1, name: 'A', email: 'a@x' });
    l.recordOrder({ id: 10, userId: 1, productId: 2, quantity: 1, amount: 9.5, status: 'pending' }, true);
    l.recordOrder({ id: 10, userId: 1, productId: 2, quantity: 1, amount: 9.5, status: 'validated' });
    l.recordPayment({ id: 100, orderId: 10, status: 'success', amount: 9.5 });
    l.recordUncertain({ endpoint: 'POST /api/orders/process/:id', path: '/api/orders/process/10', idempotencyKey: 'k', lastOutcome: 'timeout' });
    const e = l.export();
    expect(e.target).toBe('http://shop');
    expect(e.orders).toHaveLength(1);
    expect(e.orders[0]?.status).toBe('validated');
    expect(e.payments[0]).toMatchObject({ id: 100, orderId: 10, status: 'success' });
    expect(l.counts()).toEqual({ users: 1, orders: 1, payments: 1, uncertain: 1, rejected: 0, limited: 0, replayed: 0 });
    expect(JSON.parse(JSON.stringify(l))).toMatchObject({ users: [{ id: 1 }] });
  });

  it('only counts when asked not to keep rows', () => {
    const l = new Ledger('http://shop', undefined, false);
    l.recordUser({ id: 1, name: null, email: null });
    l.recordOrder({ id: 10, userId: 1, productId: null, quantity: null, amount: null, status: 'pending' }, true);
    l.recordOrder({ id: 10, userId: 1, productId: null, quantity: null, amount: null, status: 'cancelled' });
    expect(l.counts()).toEqual({ users: 1, orders: 1, payments: 0, uncertain: 0, rejected: 0, limited: 0, replayed: 0 });
    expect(l.export().users).toEqual([]);
  });

  it('keeps keyed answers only when asked, and counts replays and rejections either way', () => {
    const answer = { method: 'POST', path: '/api/users/create', idempotencyKey: 'k', body: undefined, status: 201, answer: { id: 1 }, replayed: true };
    const plain = new Ledger('http://shop');
    plain.recordAnswer(answer);
    plain.recordRejected({ endpoint: 'POST /api/orders/cancel/:id', path: '/api/orders/cancel/9', idempotencyKey: 'c', status: 409, error: 'illegal_transition' });
    expect(plain.export().answers).toEqual([]);
    expect(plain.export().rejected).toHaveLength(1);
    expect(plain.counts()).toMatchObject({ replayed: 1, rejected: 1 });
    const keeping = new Ledger('http://shop', undefined, true, true);
    keeping.recordAnswer(answer);
    expect(keeping.export().answers).toEqual([answer]);
  });
});
