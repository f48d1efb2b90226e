// Section 11: the broker's faults, from the chaos drills' own reports (JSON), as section 6
// reads failover — this section runs no drill. Per broker drill: the fulfilment queue's
// leader before and after and the time to a new one, the outbox's largest backlog, how long
// after the rollback every paid order was shipped, the lag during the fault, and what the
// fulfilment ledger found lost or duplicated.
import { BROKER_DRILLS, brokerFaultFigures, type BrokerFaultFigures } from '../broker-faults.ts';
import { drillCommand, readDrillReports, REPORT_DIRS } from '../drill-reports.ts';
import { newestFirst } from '../failover.ts';
import { fmtCount, fmtSeconds, type Table } from '../format.ts';
import { REPO_ROOT } from '../stack-check.ts';
import { defineSection } from './common.ts';

const TITLE = 'Broker faults, from the chaos drills\' reports';
const dash = (v: number | string | undefined, f: (x: number) => string = fmtCount): string => (v === undefined ? '—' : typeof v === 'string' ? v : f(v));

export const section11 = defineSection({ id: 11, title: TITLE, needs: [], budgetSeconds: 20 }, async (_ctx) => {
  const { figures, unreadable } = await readDrillReports(REPO_ROOT, BROKER_DRILLS, brokerFaultFigures);
  const notes: string[] = [];
  const rows: string[][] = [];
  const byDrill: Record<string, BrokerFaultFigures[]> = {};
  for (const drill of BROKER_DRILLS) {
    const list = newestFirst(figures.filter((f) => f.drill === drill));
    byDrill[drill] = list;
    const n = list[0];
    if (n === undefined) {
      rows.push([drill, '0', 'no report', ...Array<string>(9).fill('—')]);
      notes.push(`No report for ${drill}: \`${drillCommand(drill)}\` produces one.`);
      continue;
    }
    const leader = n.leaderBefore === undefined ? '—' : `${n.leaderBefore} → ${n.leaderAfter ?? '?'}`;
    rows.push([
      drill,
      String(list.length),
      `${n.startedAt.slice(0, 19).replace('T', ' ')} ${n.verdict}`,
      fmtSeconds(n.faultSeconds),
      leader,
      fmtSeconds(n.newLeaderAfterSeconds),
      dash(n.outboxMaxBacklog),
      fmtSeconds(n.rollbackToAllShippedSeconds),
      dash(n.lagP99DuringMs),
      n.paid === undefined ? '—' : `${fmtCount(n.paid)} / ${dash(n.lost)} / ${dash(n.duplicated)}`,
      n.clientErrors === 0 ? '0' : fmtCount(n.clientErrors),
      dash(n.deadLettered),
    ]);
  }
  if (unreadable.length > 0) notes.push(`Unreadable report files left out: ${unreadable.join(', ')}.`);
  if (figures.some((f) => f.verdict === 'failed')) notes.push('A failed verdict in a newest report: its figures are what that run measured; the report says why it failed (a weakened lab, in the drills\' own test, fails on purpose).');
  const tables: Table[] = [{
    title: 'Newest report per broker drill (seconds from the fault unless said)',
    headers: ['drill', 'reports', 'newest (UTC), verdict', 'fault held', 'queue leader', '→ new leader', 'largest outbox backlog', 'rollback → all shipped (s)', 'lag p99 during the fault (ms)', 'paid / lost / duplicated', 'client errors', 'dead letters'],
    align: ['left', 'right', 'left'],
    rows,
  }];
  return {
    status: 'ok',
    about: [
      `Read from the JSON reports the chaos drills write (${REPORT_DIRS.map((d) => `\`${d}/\``).join(' and ')}; the newest per drill, by start time). Each drill kills, freezes, cuts off or fills up the lab's RabbitMQ and judges afterwards, with the fulfilment ledger, that every paid order was shipped exactly once (docs/fulfilment.md). "→ new leader" is when the fulfilment queue's leader was seen on another node; "rollback → all shipped" is the recovery to the steady state plus the fulfilment judge's wait for the last shipment (the judge starts after the ledger and consistency checks, so a backlog shipped meanwhile is not counted); the lag is payment to shipment of the orders paid while the fault was held.`,
    ],
    tables,
    notes,
    data: byDrill,
  };
});
