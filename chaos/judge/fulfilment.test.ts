import { describe, expect, it } from 'vitest';
import { fulfilmentFindings, lagByPart, paidOrderIds, type FulfilmentResult } from './fulfilment.ts';

const clean: FulfilmentResult = { paid: 3, shipped: 3, lost: [], duplicated: [], outboxBacklog: 0, deadLettered: 0, waitedMs: 1_000, boundMs: 90_000 };

describe('the fulfilment ledger', () => {
  it('expects a shipment for every order acknowledged with a successful payment, once each', () => {
    const ledger = {
      users: [],
      orders: [],
      payments: [
        { id: '1', orderId: '10', status: 'success' },
        { id: '2', orderId: '11', status: 'failed' },
        { id: '3', orderId: '12', status: 'success' },
        { id: '4', orderId: '12', status: 'success' },
      ],
    };
    expect(paidOrderIds(ledger)).toEqual(['10', '12']);
  });

  it('passes when every paid order is shipped once and nothing is left', () => {
    expect(fulfilmentFindings(clean)).toEqual([]);
  });

  it('names lost and duplicated fulfilments, a backlog, dead letters and an unread broker', () => {
    expect(fulfilmentFindings({ ...clean, shipped: 1, lost: ['10'], duplicated: [{ orderId: '12', shipments: 2 }] }).join('\n'))
      .toMatch(/1 order\(s\) acknowledged as paid were not shipped within 90 s \(lost fulfilments\): order 10[\s\S]*order 12 ×2/);
    expect(fulfilmentFindings({ ...clean, shipped: 2, lost: ['10'], idle: true })[0])
      .toMatch(/not shipped and no event in the outbox or message in the queue was left to ship them \(lost fulfilments\): order 10/);
    expect(fulfilmentFindings({ ...clean, outboxBacklog: 4 })).toEqual(['4 outbox event(s) still not confirmed by the broker at the end']);
    expect(fulfilmentFindings({ ...clean, deadLettered: 2 })[0]).toMatch(/2 message\(s\) in the dead-letter queue/);
    expect(fulfilmentFindings({ ...clean, deadLettered: undefined })[0]).toMatch(/could not be read/);
  });

  it('splits the lag by when each payment was acknowledged: before the fault, during it, after the lab was back', () => {
    const at = (s: number): string => new Date(1_000_000 + s * 1000).toISOString();
    const ledger = {
      users: [],
      orders: [],
      payments: [
        { id: '1', orderId: '10', status: 'success', ackAt: at(0) },
        { id: '2', orderId: '11', status: 'success', ackAt: at(12) },
        { id: '3', orderId: '12', status: 'success', ackAt: at(15) },
        { id: '4', orderId: '13', status: 'failed', ackAt: at(16) },
        { id: '5', orderId: '14', status: 'success', ackAt: at(40) },
        { id: '6', orderId: '15', status: 'success', ackAt: at(41) }, // not shipped: no lag
      ],
    };
    const lags = new Map([['10', 100], ['11', 9_000], ['12', 4_000], ['13', 1], ['14', 200]]);
    const window = { from: 1_000_000 + 10_000, to: 1_000_000 + 30_000 };
    expect(lagByPart(ledger, lags, window)).toEqual({
      before: { orders: 1, p50Ms: 100, p99Ms: 100, maxMs: 100 },
      duringFault: { orders: 2, p50Ms: 4_000, p99Ms: 9_000, maxMs: 9_000 },
      after: { orders: 1, p50Ms: 200, p99Ms: 200, maxMs: 200 },
    });
    expect(lagByPart(ledger, lags, undefined)).toBeUndefined();
  });
});
