// Housekeeping of the rows that only matter for a while: expired Idempotency-Key records and
// stat buckets older than every window. Deleted in bounded batches (each batch is one
// commit, replicated like any other) so a backlog never becomes one huge transaction; a
// round that stops with rows left says so (backlog), and the shop runs the next one at once
// instead of a minute later, so the purge keeps up with any sustained keyed write rate.
// It also folds the shards of finished minutes into one row each (compactWindows): an hour's
// window then reads about 60 rows per counter instead of 60 × 16.
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
  /** finished minute buckets whose shards were folded into one row */
  compacted: number;
  /** why the fold failed this round (the purge itself still counts); the next round folds again */
  compactError?: string;
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
  // a fold that fails (a certification conflict with another replica's) costs this round's
  // fold only: the purge's figures still count
  const compacted = await compactWindows(db, maxBatches).catch((err: unknown) => ({ total: 0, backlog: false, error: (err as Error).message }));
  // MIN over the expires_at index: one index dive, whatever the table's size
  const [row] = await db.rows<RowDataPacket & { age: string | number | null }>(
    'purge.oldest_expired',
    'SELECT TIMESTAMPDIFF(MICROSECOND, MIN(expires_at), NOW(3)) / 1000000 AS age FROM idempotency_records WHERE expires_at < NOW(3)',
  );
  const oldestExpiredSeconds = row?.age === null || row?.age === undefined ? 0 : Math.max(0, Number(row.age));
  return {
    keys: keys.total,
    buckets: buckets.total,
    compacted: compacted.total,
    ...('error' in compacted ? { compactError: compacted.error } : {}),
    backlog: keys.backlog || buckets.backlog || compacted.backlog,
    oldestExpiredSeconds,
  };
}

/**
 * A minute bucket this old is finished: a transaction writes the bucket of its statement's
 * minute and no operation outlives its deadline (8 s, database.ts), so nobody writes it any
 * more. A late writer that still raced a fold would only wait on its row locks (or, on
 * another Galera node, lose certification and be retried into the current minute).
 */
const FINISHED_AFTER_MINUTES = 2;
/** Buckets folded per commit. */
const FOLD_BUCKETS = 10;
/** The day bucket (logins_today) is written all day: never folded. */
const NOT_FOLDED = 'logins_today';

/**
 * Folds the shards of finished minute buckets of the last hour (the only ones a window reads)
 * into shard 0, bucket by bucket, a few buckets per commit. One transaction sums and deletes,
 * so a reader (one statement, one snapshot) sees the shards or their sum, never both or
 * neither. Under REPEATABLE READ (the server's default, which the shop keeps) the INSERT …
 * SELECT locks the rows it sums, so a late increment on this node waits for the fold instead
 * of being lost; on another node it loses certification against the fold and is retried. Running it again changes nothing (shard 0 already holds the sum), so an unknown
 * outcome may be retried, and two replicas racing on one bucket cost a certification
 * conflict, no wrong count.
 */
export async function compactWindows(db: Database, maxBatches = 20): Promise<{ total: number; backlog: boolean }> {
  let total = 0;
  for (let i = 0; i < maxBatches; i++) {
    const found = await db.rows<RowDataPacket & { bucket: Date }>(
      'purge.compact_find',
      `SELECT DISTINCT bucket FROM stat_windows
        WHERE bucket >= DATE_FORMAT(NOW() - INTERVAL 61 MINUTE, '%Y-%m-%d %H:%i:00')
          AND bucket < DATE_FORMAT(NOW() - INTERVAL ${FINISHED_AFTER_MINUTES} MINUTE, '%Y-%m-%d %H:%i:00')
          AND shard <> 0 AND name <> '${NOT_FOLDED}'
        ORDER BY bucket LIMIT ?`,
      [FOLD_BUCKETS],
    );
    if (found.length === 0) return { total, backlog: false };
    const buckets = found.map((r) => r.bucket);
    const list = buckets.map(() => '?').join(', ');
    await db.transaction('purge.compact', async (tx) => {
      await tx.exec(
        `INSERT INTO stat_windows (name, bucket, shard, value)
           SELECT name, bucket, 0, SUM(value) FROM stat_windows WHERE bucket IN (${list}) AND name <> '${NOT_FOLDED}' GROUP BY name, bucket
         ON DUPLICATE KEY UPDATE value = VALUES(value)`,
        buckets,
      );
      await tx.exec(`DELETE FROM stat_windows WHERE bucket IN (${list}) AND name <> '${NOT_FOLDED}' AND shard <> 0`, buckets);
    }, { retry: 'safe' });
    total += buckets.length;
    if (found.length < FOLD_BUCKETS) return { total, backlog: false };
  }
  return { total, backlog: true };
}
