// The counters behind /api/stats, maintained by the business transactions themselves so
// that reading them never counts raw rows:
// - totals (stat_counters): users, payments by outcome, revenue, pending orders;
// - windows (stat_windows): per-minute buckets (orders, payments, revenue, activity by
//   level) and a per-day bucket (distinct users who logged in today).
// A transaction collects what it changed in a StatTally and flushes it just before its
// commit: at most two upserts, whatever it did, and the rows stay locked only briefly.
// Shards are split between the Galera nodes (by wsrep_local_index): writers on different
// nodes never touch the same counter row, so counters cost no certification failure;
// writers on one node pick one of its shards at random and wait briefly at worst. Every row
// of one tally uses the same shard, so two transactions on one node lock shared rows in the
// same (sorted) order and wait instead of deadlocking.
import type { Tx } from './database.ts';

export type TotalName = 'users' | 'payments_success' | 'payments_failed' | 'revenue_cents' | 'orders_pending';
export type WindowName =
  | 'orders'
  | 'payments_success'
  | 'payments_failed'
  | 'revenue_cents'
  | 'activity_low'
  | 'activity_medium'
  | 'activity_high'
  | 'logins_today';

/** Rows per counter: a window of an hour sums 60 × SHARDS rows at most. */
export const SHARDS = 16;
/** Nodes that get shards of their own (a fifth node shares the first's). */
const NODE_GROUPS = 4;

/** A shard of `node`'s group, at random within it. */
export function shardFor(node: number, random: () => number = Math.random): number {
  const perNode = SHARDS / NODE_GROUPS;
  return (node % NODE_GROUPS) * perNode + Math.floor(random() * perNode);
}

/** The bucket a window row of `name` is written to now (session time zone is UTC). */
function bucketSql(name: WindowName): string {
  return name === 'logins_today' ? 'CURDATE()' : "DATE_FORMAT(NOW(), '%Y-%m-%d %H:%i:00')";
}

/** Exact integer cents of a DECIMAL string ("179.98" → 17998): money never goes through a float. */
export function decimalToCents(amount: string): number {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(amount.trim());
  if (m === null) throw new Error(`not a money amount: ${amount}`);
  const cents = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] === '-' ? -cents : cents;
}

export class StatTally {
  private readonly totals = new Map<TotalName, number>();
  private readonly windows = new Map<WindowName, number>();

  constructor(private readonly shard: number) {}

  userCreated(): void {
    this.add(this.totals, 'users', 1);
  }

  orderCreated(): void {
    this.add(this.windows, 'orders', 1);
    this.add(this.totals, 'orders_pending', 1);
  }

  /** An order left `pending` (validated or cancelled). */
  orderLeftPending(): void {
    this.add(this.totals, 'orders_pending', -1);
  }

  payment(outcome: 'success' | 'failed', amount: string): void {
    const name = outcome === 'success' ? 'payments_success' : 'payments_failed';
    this.add(this.totals, name, 1);
    this.add(this.windows, name, 1);
    if (outcome === 'success') {
      this.add(this.totals, 'revenue_cents', decimalToCents(amount));
      this.add(this.windows, 'revenue_cents', decimalToCents(amount));
    }
  }

  activity(level: 'low' | 'medium' | 'high'): void {
    this.add(this.windows, `activity_${level}`, 1);
  }

  firstLoginToday(): void {
    this.add(this.windows, 'logins_today', 1);
  }

  /** The upserts, in a stable order (for tests and for the bench's bare loop). */
  statements(): { sql: string; params: (string | number)[] }[] {
    const out: { sql: string; params: (string | number)[] }[] = [];
    const totals = [...this.totals].filter(([, v]) => v !== 0).sort(([a], [b]) => a.localeCompare(b));
    if (totals.length > 0) {
      out.push({
        sql: `INSERT INTO stat_counters (name, shard, value) VALUES ${totals.map(() => '(?, ?, ?)').join(', ')}
              ON DUPLICATE KEY UPDATE value = value + VALUES(value)`,
        params: totals.flatMap(([name, v]) => [name, this.shard, v]),
      });
    }
    const windows = [...this.windows].filter(([, v]) => v !== 0).sort(([a], [b]) => a.localeCompare(b));
    if (windows.length > 0) {
      out.push({
        sql: `INSERT INTO stat_windows (name, bucket, shard, value) VALUES ${windows.map(([name]) => `(?, ${bucketSql(name)}, ?, ?)`).join(', ')}
              ON DUPLICATE KEY UPDATE value = value + VALUES(value)`,
        params: windows.flatMap(([name, v]) => [name, this.shard, v]),
      });
    }
    return out;
  }

  async flush(tx: Tx): Promise<void> {
    for (const s of this.statements()) await tx.exec(s.sql, s.params);
    this.totals.clear();
    this.windows.clear();
  }

  private add<K extends string>(map: Map<K, number>, name: K, by: number): void {
    map.set(name, (map.get(name) ?? 0) + by);
  }
}

/** What a write transaction may use: its statements and its tally. */
export interface WriteTx extends Tx {
  tally: StatTally;
}
