import { describe, expect, it } from 'vitest';
import type { RequestSample } from '../../simulator/index.ts';
import { budgetFor, clientImpact, clientsLine } from './clients.ts';
import { findDrill } from '../drills/catalog.ts';

const req = (at: number, ms: number, outcome = '200'): RequestSample => ({ at, ms, outcome, endpoint: '/api/x' });
const window = { from: 10_000, to: 20_000 };
const budget = { failedRequests: 0, p99Ms: 3_000 };

describe('clientImpact', () => {
  it('counts the requests in flight at any moment of the window, including one begun before it', () => {
    const c = clientImpact([req(1_000, 100), req(9_000, 4_000), req(15_000, 50), req(19_999, 10), req(20_000, 10)], window, budget);
    expect(c.requests).toBe(3);
    expect(c.longestMs).toBe(4_000);
    expect(c.p99Ms).toBe(4_000);
    expect(c.overBudget).toEqual(['client p99 during the fault 4000 ms (budget 3000 ms; longest 4000 ms)']);
  });

  it('names failed requests (5xx, timeouts, connection errors) over a budget of 0; a 409 is an answer, not a failure', () => {
    const c = clientImpact([req(11_000, 20, '503'), req(11_000, 20, 'timeout'), req(12_000, 20, '409'), req(12_000, 20, '201')], window, budget);
    expect(c.failed).toBe(2);
    expect(c.overBudget[0]).toBe('2 client request(s) failed during the fault (budget 0): 1 × 503, 1 × timeout');
  });

  it('within the budget, or without one, nothing is over', () => {
    const samples = Array.from({ length: 200 }, (_, i) => req(10_000 + i * 40, i === 0 ? 5_000 : 30));
    // one slow request in 200 is the worst 0.5 %: above p99, so within a p99 budget
    expect(clientImpact(samples, window, budget).overBudget).toEqual([]);
    expect(clientImpact([req(11_000, 9_000, '500')], window).overBudget).toEqual([]);
  });

  it('says what was seen and against which budget', () => {
    expect(clientsLine(clientImpact([req(11_000, 120)], window, budget))).toBe('1 request(s) in flight during the fault: 0 failed, p99 120 ms, longest 120 ms; budget 0 failed, p99 ≤ 3000 ms: within it.');
    expect(clientsLine(clientImpact([], window))).toBe('0 request(s) in flight during the fault: 0 failed, p99 —, longest —.');
  });
});

describe('budgetFor', () => {
  it('holds shop-crash to no failed request on Swarm only, where the edge has other replicas to retry on', () => {
    const crash = findDrill('shop-crash');
    const stop = findDrill('galera-node-stop');
    if (crash === undefined || stop === undefined) throw new Error('the catalogue lost a drill');
    expect(budgetFor(crash, 'compose')).toBeUndefined();
    expect(budgetFor(crash, 'swarm')).toEqual({ failedRequests: 0, p99Ms: 3_000 });
    expect(budgetFor(stop, 'swarm')).toEqual(stop.clientBudget);
  });
});
