import { describe, expect, it } from 'vitest';
import { compareLedger, fromSimulatorLedger, isSameOrLaterOrderState, restrictLedger, suspectIds, type AckLedger, type NodeRows } from './ledger.ts';

const node = (name: string, orders: [string, string][], payments: [string, string][] = [], users: string[] = []): NodeRows => ({
  node: name,
  users: new Set(users),
  orders: new Map(orders),
  payments: new Map(payments),
});

const ledger: AckLedger = {
  users: [{ id: '1' }],
  orders: [
    { id: '10', status: 'pending' },
    { id: '11', status: 'paid' },
  ],
  payments: [{ id: '100', orderId: '11', status: 'success' }],
};

describe('isSameOrLaterOrderState', () => {
  it('accepts the same state and states reachable from it', () => {
    expect(isSameOrLaterOrderState('pending', 'pending')).toBe(true);
    expect(isSameOrLaterOrderState('pending', 'paid')).toBe(true);
    expect(isSameOrLaterOrderState('processing', 'cancelled')).toBe(true);
  });
  it('rejects earlier states and exits from terminal states', () => {
    expect(isSameOrLaterOrderState('paid', 'processing')).toBe(false);
    expect(isSameOrLaterOrderState('paid', 'cancelled')).toBe(false);
    expect(isSameOrLaterOrderState('validated', 'pending')).toBe(false);
    expect(isSameOrLaterOrderState('bogus', 'paid')).toBe(false);
  });
});

describe('compareLedger', () => {
  it('counts a row that took an acknowledged id later (a reused id) as missing, and names it once', () => {
    const reused = (name: string): NodeRows => ({ ...node(name, [['10', 'pending'], ['11', 'paid']], [['100', 'success']]), reused: ['user 1'] });
    const r = compareLedger(ledger, [reused('a'), reused('b')]);
    expect(r.missing).toEqual([{ kind: 'user', id: '1', nodes: ['a', 'b'] }]);
    expect(r.reusedIds).toEqual(['user 1']);
  });
  it('passes when every node has every write in the acknowledged or a later state', () => {
    const n = (name: string) => node(name, [['10', 'validated'], ['11', 'paid']], [['100', 'success']], ['1']);
    const r = compareLedger(ledger, [n('a'), n('b'), n('c')]);
    expect(r.missing).toEqual([]);
    expect(r.regressed).toEqual([]);
    expect(r.foundOnEveryNode).toBe(4);
    expect(r.acknowledged).toEqual({ users: 1, orders: 2, payments: 1 });
  });
  it('names a missing write and the nodes that lack it', () => {
    const full = node('a', [['10', 'pending'], ['11', 'paid']], [['100', 'success']], ['1']);
    const lacking = node('b', [['11', 'paid']], [['100', 'success']], ['1']);
    const r = compareLedger(ledger, [full, lacking]);
    expect(r.missing).toEqual([{ kind: 'order', id: '10', nodes: ['b'] }]);
    expect(r.foundOnEveryNode).toBe(3);
  });
  it('flags a write found in an earlier state than acknowledged', () => {
    const r = compareLedger(ledger, [node('a', [['10', 'pending'], ['11', 'processing']], [['100', 'success']], ['1'])]);
    expect(r.regressed).toEqual([{ kind: 'order', id: '11', node: 'a', acknowledged: 'paid', found: 'processing' }]);
  });
  it('flags a payment whose status changed', () => {
    const r = compareLedger(ledger, [node('a', [['10', 'pending'], ['11', 'paid']], [['100', 'failed']], ['1'])]);
    expect(r.regressed.map((x) => x.id)).toEqual(['100']);
  });
  it('reports unreadable nodes apart instead of counting their rows missing', () => {
    const bad: NodeRows = { ...node('c', []), error: 'WSREP has not yet prepared node' };
    const r = compareLedger(ledger, [node('a', [['10', 'pending'], ['11', 'paid']], [['100', 'success']], ['1']), bad]);
    expect(r.unreadableNodes).toEqual([{ node: 'c', error: 'WSREP has not yet prepared node' }]);
    expect(r.missing).toEqual([]);
  });
});

describe('suspects and restriction', () => {
  it('re-reads only the flagged ids', () => {
    const r = compareLedger(ledger, [node('a', [['11', 'processing']], [['100', 'success']], ['1'])]);
    const ids = suspectIds(r);
    expect([...ids.order].sort()).toEqual(['10', '11']);
    const sub = restrictLedger(ledger, ids);
    expect(sub.orders.map((o) => o.id)).toEqual(['10', '11']);
    expect(sub.payments).toEqual([]);
    expect(sub.users).toEqual([]);
  });
});

describe('fromSimulatorLedger', () => {
  it('turns numeric ids into strings', () => {
    const l = fromSimulatorLedger({ users: [{ id: 1 }], orders: [{ id: 2, status: 'pending' }], payments: [{ id: 3, orderId: 2, status: 'success' }] });
    expect(l).toEqual({ users: [{ id: '1' }], orders: [{ id: '2', status: 'pending' }], payments: [{ id: '3', orderId: '2', status: 'success' }] });
  });
});
