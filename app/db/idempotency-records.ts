// Idempotency-Key records, written inside the request's own transaction: `claim` inserts the
// key first (the primary key decides who does the work), the work runs, `answer` stores the
// response, and all of it commits together. A key is therefore either done, with its effects
// and its answer, or absent: a crash at any point leaves nothing half-done to take over.
// Who waits for whom:
// - same node, same key in flight: the INSERT waits on the first one's row lock for at most
//   CLAIM_WAIT_SECONDS, then sees its committed row (replay) or gives up (in progress);
// - two nodes: both INSERTs succeed locally, certification lets the first commit win and the
//   other fails with 1213; Database.transaction retries it and the retry sees the row.
import type { RowDataPacket } from 'mysql2/promise';
import type { Database, Tx } from './database.ts';

/** How long a request waits for another one holding the same key before answering 409. */
const CLAIM_WAIT_SECONDS = 1;

export interface KeyIdentity {
  key: string;
  /** method and full path, e.g. `POST /api/payments/process/42` */
  scope: string;
  /** SHA-256 (hex) of method, path and canonical body */
  fingerprint: string;
}

export type Claim =
  | { kind: 'owner' }
  | { kind: 'in_progress' }
  | { kind: 'mismatch' }
  | { kind: 'done'; status: number; body: string };

interface RecordRow extends RowDataPacket {
  fingerprint: string;
  status_code: number | null;
  body: string | null;
  expired: number;
}

const ER_DUP_ENTRY = 1062;
const ER_LOCK_WAIT_TIMEOUT = 1205;

function errnoOf(err: unknown): number | undefined {
  const errno = (err as { errno?: unknown } | null)?.errno;
  return typeof errno === 'number' ? errno : undefined;
}

/** Claims the key in `tx`; the caller does the work only when it gets `owner`. */
export async function claimKey(tx: Tx, id: KeyIdentity, ttlSeconds: number): Promise<Claim> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // SET STATEMENT bounds only this INSERT's wait for a row lock held by the same key.
      await tx.exec(
        `SET STATEMENT innodb_lock_wait_timeout = ${CLAIM_WAIT_SECONDS} FOR
         INSERT INTO idempotency_records (idem_key, scope, fingerprint, expires_at) VALUES (?, ?, ?, NOW(3) + INTERVAL ? SECOND)`,
        [id.key, id.scope, id.fingerprint, ttlSeconds],
      );
      return { kind: 'owner' };
    } catch (err) {
      const errno = errnoOf(err);
      if (errno === ER_LOCK_WAIT_TIMEOUT) return { kind: 'in_progress' };
      if (errno !== ER_DUP_ENTRY) throw err;
    }
    // A duplicate is a committed row on this node (an uncommitted one would have made us wait).
    const rows = await tx.rows<RecordRow>(
      'SELECT fingerprint, status_code, body, expires_at <= NOW(3) AS expired FROM idempotency_records WHERE idem_key = ? AND scope = ?',
      [id.key, id.scope],
    );
    const row = rows[0];
    if (row === undefined) continue; // purged between the two statements: claim again
    if (Number(row.expired) === 1) {
      // An expired key is a new key: drop the old record and claim again, in this transaction.
      await tx.exec('DELETE FROM idempotency_records WHERE idem_key = ? AND scope = ? AND expires_at <= NOW(3)', [id.key, id.scope]);
      continue;
    }
    if (row.fingerprint !== id.fingerprint) return { kind: 'mismatch' };
    if (row.status_code === null || row.body === null) return { kind: 'in_progress' }; // never committed so; defensive
    return { kind: 'done', status: row.status_code, body: row.body };
  }
  return { kind: 'in_progress' };
}

/** Stores the answer of a claimed key, in the same transaction as the work. */
export async function answerKey(tx: Tx, id: KeyIdentity, status: number, body: string): Promise<void> {
  await tx.exec('UPDATE idempotency_records SET status_code = ?, body = ? WHERE idem_key = ? AND scope = ?', [status, body, id.key, id.scope]);
}

/**
 * The deliberately broken design, kept only so the shop-crash drill can prove it catches
 * duplicates (IDEMPOTENCY_COMMIT=after-effects): the record is written in a second commit
 * after the effects, so a crash between the two commits makes the retry do the work again.
 */
export async function recordKeySeparately(db: Database, id: KeyIdentity, status: number, body: string, ttlSeconds: number): Promise<void> {
  await db.exec(
    'idempotency.record',
    `INSERT IGNORE INTO idempotency_records (idem_key, scope, fingerprint, status_code, body, expires_at)
     VALUES (?, ?, ?, ?, ?, NOW(3) + INTERVAL ? SECOND)`,
    [id.key, id.scope, id.fingerprint, status, body, ttlSeconds],
    { retry: 'safe' },
  );
}

/** Reads a finished record without claiming (the after-effects mode's replay check). */
export async function readKey(db: Database, id: KeyIdentity): Promise<Claim | undefined> {
  const rows = await db.rows<RecordRow>(
    'idempotency.read',
    'SELECT fingerprint, status_code, body, 0 AS expired FROM idempotency_records WHERE idem_key = ? AND scope = ? AND expires_at > NOW(3)',
    [id.key, id.scope],
    { causal: true },
  );
  const row = rows[0];
  if (row === undefined || row.status_code === null || row.body === null) return undefined;
  if (row.fingerprint !== id.fingerprint) return { kind: 'mismatch' };
  return { kind: 'done', status: row.status_code, body: row.body };
}
