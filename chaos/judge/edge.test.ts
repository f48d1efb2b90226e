import { describe, expect, it } from 'vitest';
import type { RequestSample } from '../../simulator/index.ts';
import { edgeFindings } from './edge.ts';

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
