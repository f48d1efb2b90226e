// Section 11's reading of the broker drills' reports (chaos/report/write.ts DrillReport), pure:
// the queue's leader before and after and how soon a new one was elected, the outbox's largest
// backlog, how long after the rollback every paid order was shipped, and the fulfilment
// ledger's lost and duplicated orders. The timings every drill has come from failover.ts.
import { failoverFigures, num, rec, str, type FailoverFigures } from './failover.ts';

export const BROKER_DRILLS = ['rabbitmq-node-kill', 'rabbitmq-node-pause', 'rabbitmq-partition', 'rabbitmq-full-outage', 'rabbitmq-disk-alarm', 'rabbitmq-latency'] as const;

export interface BrokerFaultFigures extends FailoverFigures {
  leaderBefore: string | undefined;
  leaderAfter: string | undefined;
  /** seconds from the fault to a leader on another node (undefined: none was needed, or none seen) */
  newLeaderAfterSeconds: number | undefined;
  outboxMaxBacklog: number | undefined;
  /**
   * Seconds from the rollback to the last paid order shipped, as the report can tell: the
   * recovery (rollback to steady state) plus the fulfilment judge's wait for the last shipment
   * (it starts after the ledger and consistency checks: what shipped meanwhile is not counted).
   */
  rollbackToAllShippedSeconds: number | undefined;
  paid: number | undefined;
  lost: number | undefined;
  duplicated: number | undefined;
  deadLettered: number | undefined;
  /** payment → shipment p99 of the orders paid during the fault, ms */
  lagP99DuringMs: number | undefined;
}

const name = (v: unknown): string | undefined => (str(v) === '' ? undefined : str(v));
const count = (v: unknown): number | undefined => (Array.isArray(v) ? v.length : undefined);

/** The figures of one report, or undefined when it is not a report of a broker drill. */
export function brokerFaultFigures(report: unknown, file: string): BrokerFaultFigures | undefined {
  const base = failoverFigures(report, file, BROKER_DRILLS);
  if (base === undefined) return undefined;
  const r = rec(report);
  const broker = rec(r?.broker);
  const f = rec(r?.fulfilment);
  const waitedMs = num(f?.waitedMs);
  const recovery = base.toSteadyState !== undefined && base.toRollback !== undefined ? base.toSteadyState - base.toRollback : undefined;
  return {
    ...base,
    leaderBefore: name(broker?.leaderBefore),
    leaderAfter: name(broker?.leaderAfter),
    newLeaderAfterSeconds: num(broker?.newLeaderAfterSeconds),
    outboxMaxBacklog: num(broker?.outboxMaxBacklog),
    rollbackToAllShippedSeconds: recovery === undefined || waitedMs === undefined ? undefined : Math.round((recovery + waitedMs / 1000) * 10) / 10,
    paid: num(f?.paid),
    lost: count(f?.lost),
    duplicated: count(f?.duplicated),
    deadLettered: num(f?.deadLettered),
    lagP99DuringMs: num(rec(rec(f?.lag)?.duringFault)?.p99Ms),
  };
}
