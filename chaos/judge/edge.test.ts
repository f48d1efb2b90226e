import { describe, expect, it } from 'vitest';
import type { RequestSample } from '../../simulator/index.ts';
import { edgeFindings, writesPerClient, type PolicyOf } from './edge.ts';

const s = (at: number, outcome: string): RequestSample => ({ at, ms: 5, endpoint: 'POST /api/orders/create', outcome });
const window = { faultFrom: 1_000, faultTo: 2_000, backAt: 4_000 };
const after = window.backAt;

describe('the edge\'s judge', () => {
  it('passes a flood the edge refused, no refused write known to the shop', () => {
    const j = edgeFindings('flood', [s(1_100, '201'), s(1_200, 'limited'), s(1_300, 'limited')], window, 2, 0);
    expect(j.limitedDuringFault).toBe(2);
    expect(j.failures).toEqual([]);
  });

  it('fails a flood nothing refused, and a refused write the shop knows', () => {
    expect(edgeFindings('flood', [s(1_100, '201'), s(1_500, '201')], window, 0, undefined).failures.join()).toMatch(/refused none of the flood's 2 requests/);
    expect(edgeFindings('flood', [s(1_100, 'limited')], window, 3, 1).failures.join()).toMatch(/1 of 3 writes the edge refused left an idempotency record/);
  });

  // the window is 1 s: a client may get burst + 1 + rate × (1 s + 2 s of slack) = 33 writes through
  const orders: PolicyOf = (_client, path) => (path.startsWith('/api/orders') ? { group: 'orders', rate: 10, burst: 2 } : undefined);
  const w = (at: number, client: string, outcome = '201', endpoint = 'POST /api/orders/create'): RequestSample => ({ at, ms: 5, endpoint, outcome, client });

  it('counts, per client and group, the writes the edge let through while the fault held', () => {
    const samples = [
      w(1_100, 'flood'), w(1_200, 'flood', '500'), w(1_300, 'flood', 'limited'), w(1_400, 'flood', 'error'),
      w(900, 'flood'), w(2_000, 'flood'), // outside the fault
      w(1_500, 'flood', '200', 'GET /api/orders/1'), // a read
      w(1_500, 'flood', '201', 'POST /api/users'), // not limited by this policy
      { at: 1_500, ms: 5, endpoint: 'POST /api/orders/create', outcome: '201' }, // no name
      w(1_600, 'calm'),
    ];
    expect(writesPerClient(samples, window.faultFrom, window.faultTo, orders)).toEqual([
      { client: 'flood', group: 'orders', admitted: 2, allowed: 33 },
      { client: 'calm', group: 'orders', admitted: 1, allowed: 33 },
    ]);
  });

  it('fails a flood whose client wrote past its limit, and names it', () => {
    const flood = Array.from({ length: 34 }, (_, i) => w(1_000 + i * 25, 'sim-x-flood'));
    const j = edgeFindings('flood', [...flood, w(1_990, 'sim-x-flood', 'limited')], window, 0, undefined, orders);
    expect(j.busiestWriter).toEqual({ client: 'sim-x-flood', group: 'orders', admitted: 34, allowed: 33 });
    expect(j.failures.join()).toMatch(/client sim-x-flood got 34 orders writes through the edge in 1 s, over the 33 its limit allows/);
    expect(edgeFindings('flood', [...flood.slice(1), w(1_990, 'sim-x-flood', 'limited')], window, 0, undefined, orders).failures).toEqual([]);
  });

  it('fails a flood whose writes it could not count against the limits (no client named itself)', () => {
    const unnamed = { at: 1_500, ms: 5, endpoint: 'POST /api/orders/create', outcome: '201' };
    expect(edgeFindings('flood', [unnamed, w(1_600, 'x', 'limited')], window, 0, undefined, orders).failures.join()).toMatch(/no named client got a write through the edge/);
  });

  it('passes an outage its clients came back from, and fails one they did not', () => {
    // an outage its clients never saw proves nothing
    expect(edgeFindings('outage', [s(1_500, '200'), s(after + 10, '200')], window, 0, undefined).failures.join()).toMatch(/no client request failed while the edge was stopped/);
    const served = edgeFindings('outage', [s(1_500, 'error'), s(after + 10, '200'), s(after + 20, '201')], window, 0, undefined);
    expect(served.afterRollback).toEqual({ requests: 2, failed: 0, succeeded: 2 });
    expect(served.failures).toEqual([]);
    // before the edge answered again an error is the outage; after it, a failure
    expect(edgeFindings('outage', [s(1_500, 'error'), s(window.backAt - 100, 'error'), s(after + 10, '200')], window, 0, undefined).failures).toEqual([]);
    expect(edgeFindings('outage', [s(1_500, 'error'), s(after + 10, 'error'), s(after + 20, '200')], window, 0, undefined).failures.join()).toMatch(/1 of 2 client requests failed after the edge answered again/);
    expect(edgeFindings('outage', [s(1_500, 'error'), s(after + 10, 'error')], window, 0, undefined).failures.join()).toMatch(/no client request succeeded/);
  });
});
