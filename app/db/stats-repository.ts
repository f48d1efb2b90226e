// /api/stats in one round trip, from counters only (stat-counters.ts): totals are sums over
// at most 16 shards, windows sums over per-minute buckets (an hour: at most 60 × 16 rows),
// so the cost grows neither with the tables nor with the traffic inside the windows.
// Windows are counted in whole minutes: "the last hour" is the minute an hour ago and every
// minute since, so it holds every row the exact window holds and at most a minute more.
import type { RowDataPacket } from 'mysql2/promise';
import type { Database } from './database.ts';
import type { TotalName, WindowName } from './stat-counters.ts';

export interface Stats {
  total_users: number;
  active_users_today: number;
  /** Activity events of the last hour, by level (the seed's field name). */
  active_users_last_hour: { low: number; medium: number; high: number };
  orders_last_10min: number;
  pending_orders: number;
  payments_last_hour: { success: number; failed: number };
  total_success_payments: number;
  total_failed_payments: number;
  revenue_total: number;
  revenue_last_hour: number;
}

/** SUM over DECIMAL/BIGINT comes back as a string; NULL when no row matched. */
type StatValue = string | number | null;

export interface StatsRow extends RowDataPacket {
  total_users: StatValue;
  total_success: StatValue;
  total_failed: StatValue;
  revenue_cents: StatValue;
  active_today: StatValue;
  act_low: StatValue;
  act_medium: StatValue;
  act_high: StatValue;
  orders_10min: StatValue;
  pending: StatValue;
  pay_success_hour: StatValue;
  pay_failed_hour: StatValue;
  revenue_hour_cents: StatValue;
}

const total = (name: TotalName): string => `(SELECT SUM(value) FROM stat_counters WHERE name = '${name}')`;
const window = (name: WindowName, interval: string): string =>
  `(SELECT SUM(value) FROM stat_windows WHERE name = '${name}' AND bucket >= DATE_FORMAT(NOW() - INTERVAL ${interval}, '%Y-%m-%d %H:%i:00'))`;

export const STATS_SQL = `SELECT
  ${total('users')} AS total_users,
  ${total('payments_success')} AS total_success,
  ${total('payments_failed')} AS total_failed,
  ${total('revenue_cents')} AS revenue_cents,
  (SELECT SUM(value) FROM stat_windows WHERE name = 'logins_today' AND bucket = CURDATE()) AS active_today,
  ${window('activity_low', '1 HOUR')} AS act_low,
  ${window('activity_medium', '1 HOUR')} AS act_medium,
  ${window('activity_high', '1 HOUR')} AS act_high,
  ${window('orders', '10 MINUTE')} AS orders_10min,
  ${total('orders_pending')} AS pending,
  ${window('payments_success', '1 HOUR')} AS pay_success_hour,
  ${window('payments_failed', '1 HOUR')} AS pay_failed_hour,
  ${window('revenue_cents', '1 HOUR')} AS revenue_hour_cents`;

/**
 * The same answer from the raw tables, as the stats page computed it before the counters:
 * its cost grows with the rows inside the windows. Tests compare the two; the bench times both.
 */
export const NAIVE_STATS_SQL = `SELECT
  (SELECT COUNT(*) FROM users) AS total_users,
  (SELECT COUNT(*) FROM payments WHERE status = 'success') AS total_success,
  (SELECT COUNT(*) FROM payments WHERE status = 'failed') AS total_failed,
  (SELECT ROUND(SUM(amount) * 100) FROM payments WHERE status = 'success') AS revenue_cents,
  (SELECT COUNT(*) FROM users WHERE last_login_at >= CURDATE()) AS active_today,
  (SELECT COUNT(*) FROM activity_logs WHERE created_at >= NOW(3) - INTERVAL 1 HOUR AND level = 'low') AS act_low,
  (SELECT COUNT(*) FROM activity_logs WHERE created_at >= NOW(3) - INTERVAL 1 HOUR AND level = 'medium') AS act_medium,
  (SELECT COUNT(*) FROM activity_logs WHERE created_at >= NOW(3) - INTERVAL 1 HOUR AND level = 'high') AS act_high,
  (SELECT COUNT(*) FROM orders WHERE created_at >= NOW(3) - INTERVAL 10 MINUTE) AS orders_10min,
  (SELECT COUNT(*) FROM orders WHERE status = 'pending') AS pending,
  (SELECT COUNT(*) FROM payments WHERE created_at >= NOW(3) - INTERVAL 1 HOUR AND status = 'success') AS pay_success_hour,
  (SELECT COUNT(*) FROM payments WHERE created_at >= NOW(3) - INTERVAL 1 HOUR AND status = 'failed') AS pay_failed_hour,
  (SELECT ROUND(SUM(amount) * 100) FROM payments WHERE created_at >= NOW(3) - INTERVAL 1 HOUR AND status = 'success') AS revenue_hour_cents`;

export function toStats(r: StatsRow): Stats {
  const n = (v: StatValue): number => (v === null ? 0 : Number(v));
  return {
    total_users: n(r.total_users),
    active_users_today: n(r.active_today),
    active_users_last_hour: { low: n(r.act_low), medium: n(r.act_medium), high: n(r.act_high) },
    orders_last_10min: n(r.orders_10min),
    pending_orders: n(r.pending),
    payments_last_hour: { success: n(r.pay_success_hour), failed: n(r.pay_failed_hour) },
    total_success_payments: n(r.total_success),
    total_failed_payments: n(r.total_failed),
    revenue_total: n(r.revenue_cents) / 100,
    revenue_last_hour: n(r.revenue_hour_cents) / 100,
  };
}

export class StatsRepository {
  constructor(private readonly db: Database) {}

  /** Causal read: the UI shows the counter its own button press just changed. */
  async read(sleepMs = 0): Promise<Stats> {
    // the statsSlowQuery fault: the same query, made slow inside MariaDB (processlist, slow log)
    const sql = sleepMs > 0 ? `${STATS_SQL}, SLEEP(?) AS slept` : STATS_SQL;
    const rows = await this.db.rows<StatsRow>('stats', sql, sleepMs > 0 ? [sleepMs / 1000] : [], { causal: true });
    return toStats(rows[0] as StatsRow);
  }
}
