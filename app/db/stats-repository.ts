// /api/stats in one round trip. Every part is either a sum over at most 16 counter shards
// per name or a COUNT over an index range that only covers the recent window (last hour,
// last 10 minutes, today) or one status, so the cost does not grow with table size.
import type { RowDataPacket } from 'mysql2/promise';
import type { Database } from './database.ts';

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

interface StatsRow extends RowDataPacket {
  total_users: string | null;
  total_success: string | null;
  total_failed: string | null;
  revenue_cents: string | null;
  active_today: number;
  act_low: number;
  act_medium: number;
  act_high: number;
  orders_10min: number;
  pending: number;
  pay_success_hour: number;
  pay_failed_hour: number;
  revenue_hour: string | null;
}

const counter = (name: string): string => `(SELECT SUM(value) FROM stat_counters WHERE name = '${name}')`;
const activity = (level: string): string =>
  `(SELECT COUNT(*) FROM activity_logs WHERE created_at >= NOW(3) - INTERVAL 1 HOUR AND level = '${level}')`;

export const STATS_SQL = `SELECT
  ${counter('users')} AS total_users,
  ${counter('payments_success')} AS total_success,
  ${counter('payments_failed')} AS total_failed,
  ${counter('revenue_cents')} AS revenue_cents,
  (SELECT COUNT(*) FROM users WHERE last_login_at >= CURDATE()) AS active_today,
  ${activity('low')} AS act_low,
  ${activity('medium')} AS act_medium,
  ${activity('high')} AS act_high,
  (SELECT COUNT(*) FROM orders WHERE created_at >= NOW(3) - INTERVAL 10 MINUTE) AS orders_10min,
  (SELECT COUNT(*) FROM orders WHERE status = 'pending') AS pending,
  (SELECT COUNT(*) FROM payments WHERE created_at >= NOW(3) - INTERVAL 1 HOUR AND status = 'success') AS pay_success_hour,
  (SELECT COUNT(*) FROM payments WHERE created_at >= NOW(3) - INTERVAL 1 HOUR AND status = 'failed') AS pay_failed_hour,
  (SELECT SUM(amount) FROM payments WHERE created_at >= NOW(3) - INTERVAL 1 HOUR AND status = 'success') AS revenue_hour`;

export class StatsRepository {
  constructor(private readonly db: Database) {}

  /** Causal read: the UI shows the counter its own button press just changed. */
  async read(): Promise<Stats> {
    const rows = await this.db.rows<StatsRow>('stats', STATS_SQL, [], { causal: true });
    const r = rows[0] as StatsRow;
    const n = (v: string | number | null): number => (v === null ? 0 : Number(v));
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
      revenue_last_hour: Math.round(n(r.revenue_hour) * 100) / 100,
    };
  }
}
