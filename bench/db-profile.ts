// Where the database time goes, measured on the real lab around one side of a run:
// - commits: the cluster's global seqno (wsrep_last_committed) before and after, read through
//   HAProxy with a causal wait, so every write set any node committed is counted once;
// - database time per operation: the shop's own smartshop_db_query_duration_seconds
//   (sum and count by operation) from its /metrics, before and after.
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { valuesBy } from '../shared/prom-text.ts';

const DB_METRIC = 'smartshop_db_query_duration_seconds';

/** The cluster's commit counter now; undefined on a server without Galera. */
export async function clusterCommits(pool: Pool): Promise<number | undefined> {
  const conn = await pool.getConnection();
  try {
    await conn.query('SET SESSION wsrep_sync_wait = 1').catch(() => undefined);
    const [rows] = await conn.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'wsrep_last_committed'");
    await conn.query('SET SESSION wsrep_sync_wait = 0').catch(() => undefined);
    const v = Number(rows[0]?.Value);
    return Number.isFinite(v) ? v : undefined;
  } finally {
    conn.release();
  }
}

export interface DbTime {
  /** operation → calls */
  count: Map<string, number>;
  /** operation → seconds */
  seconds: Map<string, number>;
}

export function dbTimeOf(metricsText: string): DbTime {
  return { count: valuesBy(metricsText, `${DB_METRIC}_count`, 'operation'), seconds: valuesBy(metricsText, `${DB_METRIC}_sum`, 'operation') };
}

/** after − before, per operation, added into `into`. */
export function addDelta(into: DbTime, before: DbTime, after: DbTime): void {
  for (const [op, n] of after.count) into.count.set(op, (into.count.get(op) ?? 0) + n - (before.count.get(op) ?? 0));
  for (const [op, s] of after.seconds) into.seconds.set(op, (into.seconds.get(op) ?? 0) + s - (before.seconds.get(op) ?? 0));
}

export const emptyDbTime = (): DbTime => ({ count: new Map(), seconds: new Map() });

export interface DbTimeRow {
  operation: string;
  calls: number;
  meanMs: number;
  share: number;
}

/** Operations by their share of the database time, largest first. */
export function dbTimeRows(t: DbTime): DbTimeRow[] {
  const total = [...t.seconds.values()].reduce((a, b) => a + b, 0);
  return [...t.count]
    .filter(([, n]) => n > 0)
    .map(([operation, calls]) => {
      const s = t.seconds.get(operation) ?? 0;
      return { operation, calls, meanMs: (s / calls) * 1000, share: total > 0 ? s / total : 0 };
    })
    .sort((a, b) => b.share - a.share);
}
