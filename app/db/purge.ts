// Housekeeping of the rows that only matter for a while: expired Idempotency-Key records and
// stat buckets older than every window. Deleted in bounded batches (each batch is one
// commit, replicated like any other) so a backlog never becomes one huge transaction; a
// round that stops with rows left says so (backlog), and the shop runs the next one at once
// instead of a minute later, so the purge keeps up with any sustained keyed write rate.
import type { RowDataPacket } from 'mysql2/promise';
import type { Database } from './database.ts';

export interface PurgeOptions {
  /** rows per DELETE */
  batch?: number;
  /** DELETEs per table and call; the rest waits for the next call */
  maxBatches?: number;
}

export interface PurgeResult {
  keys: number;
  buckets: number;
  /** a table still had rows to purge when the round stopped: the next round should come soon */
  backlog: boolean;
  /** how long the oldest expired key has been expired, in seconds (0: none left) */
  oldestExpiredSeconds: number;
}

/** Buckets older than this are in no window (the longest is "today"). */
const BUCKET_KEEP_HOURS = 48;

async function drain(db: Database, operation: string, sql: string, batch: number, maxBatches: number): Promise<{ total: number; backlog: boolean }> {
  let total = 0;
  for (let i = 0; i < maxBatches; i++) {
    const res = await db.exec(operation, sql, [batch], { retry: 'safe' });
    total += res.affectedRows;
    if (res.affectedRows < batch) return { total, backlog: false };
  }
  return { total, backlog: true };
}

export async function purgeExpired(db: Database, options: PurgeOptions = {}): Promise<PurgeResult> {
  const batch = options.batch ?? 500;
  const maxBatches = options.maxBatches ?? 20;
  const keys = await drain(db, 'purge.idempotency', 'DELETE FROM idempotency_records WHERE expires_at < NOW(3) LIMIT ?', batch, maxBatches);
  const buckets = await drain(
    db,
    'purge.stat_windows',
    `DELETE FROM stat_windows WHERE bucket < NOW() - INTERVAL ${BUCKET_KEEP_HOURS} HOUR LIMIT ?`,
    batch,
    maxBatches,
  );
  // MIN over the expires_at index: one index dive, whatever the table's size
  const [row] = await db.rows<RowDataPacket & { age: string | number | null }>(
    'purge.oldest_expired',
    'SELECT TIMESTAMPDIFF(MICROSECOND, MIN(expires_at), NOW(3)) / 1000000 AS age FROM idempotency_records WHERE expires_at < NOW(3)',
  );
  const oldestExpiredSeconds = row?.age === null || row?.age === undefined ? 0 : Math.max(0, Number(row.age));
  return { keys: keys.total, buckets: buckets.total, backlog: keys.backlog || buckets.backlog, oldestExpiredSeconds };
}
