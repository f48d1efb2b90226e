// Activity log rows ("Payment success for order 9977 - 199.99€ (low)"), written inside the
// business transaction; each also counts in the per-level window of /api/stats.
import type { RowDataPacket } from 'mysql2/promise';
import type { Database } from './database.ts';
import type { WriteTx } from './stat-counters.ts';

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

export async function logActivity(tx: WriteTx, event: string, level: ActivityLevel, message: string): Promise<void> {
  await tx.exec('INSERT INTO activity_logs (level, event, message) VALUES (?, ?, ?)', [level, event, `${message} (${level})`]);
  tx.tally.activity(level);
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
