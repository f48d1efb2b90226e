import { describe, expect, it } from 'vitest';
import { brokerFaultFigures } from './broker-faults.ts';

const FAULT = Date.parse('2026-03-01T10:00:00Z');
const at = (s: number): number => FAULT + s * 1000;

/** A broker drill's report as chaos/report/write.ts writes it (the parts this reader uses). */
function report(drill: string, extra: Record<string, unknown> = {}): unknown {
  return {
    drill,
    startedAt: '2026-03-01T09:59:50.000Z',
    options: { faultSeconds: 10 },
    verdict: { verdict: 'passed' },
    clientErrorsDuringFault: { '200': 500 },
    timeline: {
      faultStart: FAULT,
      events: [
        { at: at(0), kind: 'fault-start' },
        { at: at(10), kind: 'rollback-start' },
        { at: at(19.5), kind: 'steady-state-back' },
      ],
    },
    broker: { queue: 'fulfilment', leaderBefore: 'rabbitmq-3', leaderAfter: 'rabbitmq-2', newLeaderAfterSeconds: 1.5, outboxMaxBacklog: 30 },
    fulfilment: {
      paid: 340, shipped: 338, lost: ['17'], duplicated: [{ orderId: '18', shipments: 2 }], outboxBacklog: 0, deadLettered: 0, waitedMs: 2_300, boundMs: 90_000,
      lag: { duringFault: { orders: 200, p50Ms: 12, p99Ms: 248, maxMs: 300 } },
    },
    ...extra,
  };
}

describe('brokerFaultFigures', () => {
  it('reads the leader change, the backlog, the time until every paid order shipped and the ledger', () => {
    expect(brokerFaultFigures(report('rabbitmq-node-kill'), 'reports/a.json')).toMatchObject({
      drill: 'rabbitmq-node-kill',
      verdict: 'passed',
      faultSeconds: 10,
      leaderBefore: 'rabbitmq-3',
      leaderAfter: 'rabbitmq-2',
      newLeaderAfterSeconds: 1.5,
      outboxMaxBacklog: 30,
      // recovery (19.5 − 10) plus the judge's 2.3 s wait
      rollbackToAllShippedSeconds: 11.8,
      paid: 340,
      lost: 1,
      duplicated: 1,
      deadLettered: 0,
      lagP99DuringMs: 248,
      clientErrors: 0,
    });
  });

  it('leaves out what an older report does not have, and ignores other drills', () => {
    const old = brokerFaultFigures(report('rabbitmq-disk-alarm', { broker: undefined, fulfilment: undefined }), 'reports/b.json');
    expect(old).toMatchObject({ leaderBefore: undefined, newLeaderAfterSeconds: undefined, outboxMaxBacklog: undefined, rollbackToAllShippedSeconds: undefined, paid: undefined, lost: undefined });
    expect(brokerFaultFigures(report('galera-node-kill'), 'reports/c.json')).toBeUndefined();
  });
});
