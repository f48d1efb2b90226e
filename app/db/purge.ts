// Housekeeping of the rows that only matter for a while: expired Idempotency-Key records and
// stat buckets older than every window. Deleted in bounded batches (each batch is one
// commit, replicated like any other) so a backlog never becomes one huge transaction.
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
}

/** Buckets older than this are in no window (the longest is "today"). */
const BUCKET_KEEP_HOURS = 48;

async function drain(db: Database, operation: string, sql: string, batch: number, maxBatches: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < maxBatches; i++) {
    const res = await db.exec(operation, sql, [batch], { retry: 'safe' });
    total += res.affectedRows;
    if (res.affectedRows < batch) break;
  }
  return total;
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
  return { keys, buckets };
}
