import { describe, expect, it } from 'vitest';
import { findDrill } from '../drills/catalog.ts';
import type { Drill } from '../types.ts';
import type { ConsistencyResult } from './verify.ts';
import type { LedgerCheck } from './read-nodes.ts';
import { decideVerdict, type Judged, type Observations } from './verdict.ts';
import { clientImpact } from './clients.ts';

const drill = findDrill('galera-partition') as Drill;
const burst = findDrill('galera-crash-burst') as Drill;

const obs = (o: Partial<Observations> = {}): Observations => ({
  clientOutcomesDuringFault: { '200': 100, '201': 50, '503': 3 },
  probe503: 2,
  probe503WithoutRetryAfter: 0,
  haproxyMarkedTargetDown: true,
  targetLeftPrimary: true,
  probeP99BeforeMs: 20,
  probeP99DuringMs: 40,
  recovered: true,
  rollbackProblems: [],
  ...o,
});

const ledger = (o: Partial<LedgerCheck['result']> = {}, staleReads: LedgerCheck['staleReads'] = []): LedgerCheck => ({
  result: { acknowledged: { users: 5, orders: 10, payments: 4 }, foundOnEveryNode: 19, missing: [], regressed: [], reusedIds: [], unreadableNodes: [], ...o },
  staleReads,
  staleMissing: 0,
});
const consistent: ConsistencyResult = { consistent: true, nodes: [], differing: [], attempts: 1 };
const judged = (o: Partial<Judged> = {}): Judged => ({ ledger: ledger(), invariants: { checked: ['x'], violations: [], errors: [] }, consistency: consistent, ...o });

describe('decideVerdict', () => {
  it('passes when data is intact, the lab recovered and the shop behaved', () => {
    const v = decideVerdict(drill, obs(), judged());
    expect(v.verdict).toBe('passed');
    expect(v.failures).toEqual([]);
    expect(v.deviations).toEqual([]);
  });
  it('deviates when clients saw more than the drill\'s budget, data intact', () => {
    const clients = clientImpact([{ at: 1_500, ms: 30, endpoint: '/api/x', outcome: '503' }], { from: 1_000, to: 2_000 }, drill.clientBudget);
    const v = decideVerdict(drill, obs({ clients }), judged());
    expect(v.verdict).toBe('deviated');
    expect(v.deviations).toEqual(['1 client request(s) failed during the fault (budget 0): 1 × 503']);
  });
  it('fails on a lost write and names its id', () => {
    const v = decideVerdict(drill, obs(), judged({ ledger: ledger({ missing: [{ kind: 'order', id: '4711', nodes: ['mariadb-1', 'mariadb-2', 'mariadb-3'] }] }) }));
    expect(v.verdict).toBe('failed');
    expect(v.reason).toContain('order 4711');
  });
  it('explains the loss by the durability profile when the drill expects it possible', () => {
    const v = decideVerdict(burst, obs(), judged({ ledger: ledger({ missing: [{ kind: 'payment', id: '9', nodes: ['mariadb-1'] }] }) }), { durability: 'fast' });
    expect(v.verdict).toBe('failed');
    expect(v.reason).toMatch(/durability profile fast/);
  });
  it('fails on an invariant violation, on divergence and on an unrecovered lab, whatever the ledger says', () => {
    expect(decideVerdict(drill, obs(), judged({ invariants: { checked: ['x'], violations: [{ invariant: 'x', node: 'n', detail: 'order 3 bad' }], errors: [] } })).verdict).toBe('failed');
    const diverged: ConsistencyResult = { consistent: false, nodes: [], differing: [{ table: 'orders', values: { a: '3:1', b: '2:9' } }], attempts: 4 };
    const d = decideVerdict(drill, obs(), judged({ consistency: diverged }));
    expect(d.verdict).toBe('failed');
    expect(d.reason).toMatch(/nodes diverged: orders/);
    expect(decideVerdict(drill, obs({ recovered: false }), judged()).verdict).toBe('failed');
    expect(decideVerdict(drill, obs({ rollbackProblems: ['mariadb-2: no such network'] }), judged()).reason).toMatch(/not restored/);
  });
  it('fails when a node could not be read: no proof is no pass', () => {
    const v = decideVerdict(drill, obs(), judged({ ledger: ledger({ unreadableNodes: [{ node: 'mariadb-3', error: 'exit 1' }] }) }));
    expect(v.verdict).toBe('failed');
  });
  it('deviates on a 500, a hang, a 503 without Retry-After, or a target HAProxy kept in rotation', () => {
    expect(decideVerdict(drill, obs({ clientOutcomesDuringFault: { '200': 5, '500': 1 } }), judged()).verdict).toBe('deviated');
    expect(decideVerdict(drill, obs({ clientOutcomesDuringFault: { timeout: 2 } }), judged()).verdict).toBe('deviated');
    expect(decideVerdict(drill, obs({ probe503WithoutRetryAfter: 1 }), judged()).verdict).toBe('deviated');
    const kept = decideVerdict(drill, obs({ haproxyMarkedTargetDown: false }), judged());
    expect(kept.verdict).toBe('deviated');
    expect(kept.reason).toMatch(/stayed in rotation/);
    expect(decideVerdict(drill, obs({ targetLeftPrimary: false }), judged()).verdict).toBe('deviated');
  });
  it('does not deviate when HAProxy could not be observed at all', () => {
    expect(decideVerdict(drill, obs({ haproxyMarkedTargetDown: undefined }), judged()).verdict).toBe('passed');
  });
  it('deviates on stale reads despite causal reads', () => {
    const v = decideVerdict(drill, obs(), judged({ ledger: ledger({}, [{ kind: 'order', id: '5', node: 'b', acknowledged: 'paid', found: 'processing' }]) }));
    expect(v.verdict).toBe('deviated');
  });
  it('deviates when db-latency sees no latency rise', () => {
    const lat = findDrill('db-latency') as Drill;
    expect(decideVerdict(lat, obs({ probeP99BeforeMs: 30, probeP99DuringMs: 25 }), judged()).verdict).toBe('deviated');
    expect(decideVerdict(lat, obs({ probeP99BeforeMs: 30, probeP99DuringMs: 400 }), judged()).verdict).toBe('passed');
  });
  it('failure outranks deviation', () => {
    const v = decideVerdict(drill, obs({ clientOutcomesDuringFault: { '500': 3 } }), judged({ ledger: { error: 'docker down' } }));
    expect(v.verdict).toBe('failed');
    expect(v.deviations.length).toBeGreaterThan(0);
  });
});
