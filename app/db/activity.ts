// Activity log rows ("Payment success for order 9977 - 199.99€ (low)") and the sharded
// counters behind /api/stats totals. Both are written inside the business transaction.
import type { RowDataPacket } from 'mysql2/promise';
import type { Database, Tx } from './database.ts';

export type ActivityLevel = 'low' | 'medium' | 'high';

export interface ActivityEntry {
  id: number;
  level: ActivityLevel;
  event: string;
  message: string;
  created_at: string;
}

interface ActivityRow extends RowDataPacket {
  id: number | string;
  level: string;
  event: string;
  message: string;
  created_at: Date;
}

export async function logActivity(tx: Tx, event: string, level: ActivityLevel, message: string): Promise<void> {
  await tx.exec('INSERT INTO activity_logs (level, event, message) VALUES (?, ?, ?)', [level, event, `${message} (${level})`]);
}

export async function recentActivity(db: Database, limit: number): Promise<ActivityEntry[]> {
  const rows = await db.rows<ActivityRow>(
    'logs.list',
    'SELECT id, level, event, message, created_at FROM activity_logs ORDER BY id DESC LIMIT ?',
    [limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    level: r.level as ActivityLevel,
    event: r.event,
    message: r.message,
    created_at: r.created_at.toISOString(),
  }));
}

export type CounterName = 'users' | 'payments_success' | 'payments_failed' | 'revenue_cents';
const SHARDS = 16;

const randomShard = (): number => Math.floor(Math.random() * SHARDS);

export async function bumpCounter(tx: Tx, name: CounterName, by = 1): Promise<void> {
  await tx.exec(
    'INSERT INTO stat_counters (name, shard, value) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE value = value + VALUES(value)',
    [name, randomShard(), by],
  );
}

/** Adds an order's amount, in integer cents computed by the server, to revenue_cents. */
export async function addRevenueOfOrder(tx: Tx, orderId: number): Promise<void> {
  await tx.exec(
    `INSERT INTO stat_counters (name, shard, value)
       SELECT 'revenue_cents', ?, ROUND(amount * 100) FROM orders WHERE id = ?
     ON DUPLICATE KEY UPDATE value = value + VALUES(value)`,
    [randomShard(), orderId],
  );
}
