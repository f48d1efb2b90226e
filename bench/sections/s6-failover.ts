// Section 6: failover, from the chaos drills' own reports (JSON) — this section runs no
// drill. For node stop, kill, pause and partition: the time from the fault to HAProxy
// marking the node down, to the first success, to the steady state, the client errors and
// the clients' p99 and longest request during the fault (the drills' budget, issue 32).
import { FAILOVER_DRILLS, failoverFigures, failoverMedians, newestFirst, type FailoverFigures } from '../failover.ts';
import { drillCommand, readDrillReports, REPORT_DIRS } from '../drill-reports.ts';
import { fmtCount, fmtSeconds, type Table } from '../format.ts';
import { REPO_ROOT } from '../stack-check.ts';
import { defineSection } from './common.ts';

const TITLE = 'Failover, from the chaos drills\' reports';

export const section6 = defineSection({ id: 6, title: TITLE, needs: [], budgetSeconds: 20 }, async (_ctx) => {
  const { figures, unreadable } = await readDrillReports(REPO_ROOT, FAILOVER_DRILLS, (r, file) => failoverFigures(r, file));
  const notes: string[] = [];
  const rows: string[][] = [];
  const medianRows: string[][] = [];
  const byDrill: Record<string, FailoverFigures[]> = {};
  for (const drill of FAILOVER_DRILLS) {
    const list = newestFirst(figures.filter((f) => f.drill === drill));
    byDrill[drill] = list;
    const n = list[0];
    if (n === undefined) {
      rows.push([drill, '0', 'no report', '—', '—', '—', '—', '—', '—', '—', '—', '—', '—']);
      notes.push(`No report for ${drill}: \`${drillCommand(drill)}\` (smartshop chaos run ${drill}) produces one.`);
      continue;
    }
    const errors = n.clientErrors === 0 ? '0' : `${fmtCount(n.clientErrors)} (${Object.entries(n.clientErrorsByKind).map(([k, v]) => `${v} × ${k}`).join(', ')})`;
    rows.push([
      drill,
      String(list.length),
      `${n.startedAt.slice(0, 19).replace('T', ' ')} ${n.verdict}`,
      fmtSeconds(n.faultSeconds),
      fmtSeconds(n.toFirstClientError),
      fmtSeconds(n.toHaproxyDown),
      n.toFirstSuccess === undefined ? 'not recorded' : fmtSeconds(n.toFirstSuccess),
      fmtSeconds(n.toRollback),
      fmtSeconds(n.toHaproxyUp),
      fmtSeconds(n.toSteadyState),
      errors,
      n.clientP99Ms === undefined ? '—' : `${fmtCount(Math.round(n.clientP99Ms))} / ${fmtCount(Math.round(n.clientLongestMs ?? 0))}`,
      n.writesLost === undefined ? '—' : String(n.writesLost),
    ]);
    if (list.length >= 2) {
      const m = failoverMedians(list);
      medianRows.push([drill, String(m.reports), fmtSeconds(m.toHaproxyDown), fmtSeconds(m.toSteadyState), Number.isFinite(m.clientErrors) ? fmtCount(m.clientErrors) : '—']);
    }
  }
  if (figures.some((f) => f.clientErrors > 0)) {
    notes.push('"→ first success" is 0 when no client saw an error during the fault; where clients did, the report records the first error but not the first success after it, so the column says "not recorded" (the steady-state time bounds it from above).');
  }
  if (unreadable.length > 0) notes.push(`Unreadable report files left out: ${unreadable.join(', ')}.`);
  const tables: Table[] = [
    {
      title: 'Newest report per drill (seconds from the fault)',
      headers: ['drill', 'reports', 'newest (UTC), verdict', 'fault held', '→ first client error', '→ HAProxy DOWN', '→ first success', '→ rollback', '→ HAProxy UP', '→ steady state', 'client errors (5xx, timeouts, connection)', 'client p99 / longest during the fault (ms)', 'writes lost'],
      align: ['left', 'right', 'left'],
      rows,
    },
  ];
  if (medianRows.length > 0) {
    tables.push({ title: 'Medians over every report found', headers: ['drill', 'reports', '→ HAProxy DOWN', '→ steady state', 'client errors'], rows: medianRows });
  }
  return {
    status: 'ok',
    about: [
      `Read from the JSON reports the chaos drills write (${REPORT_DIRS.map((d) => `\`${d}/\``).join(' and ')}; the newest per drill, by start time). The bench runs no drill: each one stops, kills or cuts off a Galera node of the lab and proves afterwards that no acknowledged write was lost, which is not something a benchmark should do on the side. Times are from the fault's injection; "→ HAProxy DOWN" is HAProxy's health check taking the node out, "→ steady state" the lab passing every steady-state check again after the rollback.`,
    ],
    tables,
    notes,
    data: byDrill,
  };
});
