// Idempotency keys: the key row is claimed with INSERT IGNORE before the work, so of two
// concurrent requests with the same key exactly one does the work (the primary key decides,
// on Galera too: the loser fails certification or sees the row). The response is stored after.
import type { RowDataPacket } from 'mysql2/promise';
import type { Database } from './database.ts';

/** An in-progress claim older than this is taken over (its owner crashed or lost the DB). */
const STALE_SECONDS = 30;

export type Claim = { kind: 'owner' } | { kind: 'in_progress' } | { kind: 'done'; status: number; body: string };

interface KeyRow extends RowDataPacket {
  status_code: number | null;
  body: string | null;
}

export class IdempotencyRepository {
  constructor(private readonly db: Database) {}

  async claim(key: string, scope: string): Promise<Claim> {
    // Retried only if certainly not applied: a lost INSERT might have claimed the key.
    const res = await this.db.exec('idempotency.claim', 'INSERT IGNORE INTO idempotency_keys (idem_key, scope) VALUES (?, ?)', [key, scope], {
      retry: 'notApplied',
    });
    if (res.affectedRows === 1) return { kind: 'owner' };
    const rows = await this.db.rows<KeyRow>('idempotency.read', 'SELECT status_code, body FROM idempotency_keys WHERE idem_key = ? AND scope = ?', [key, scope], {
      causal: true,
    });
    const row = rows[0];
    if (row !== undefined && row.status_code !== null && row.body !== null) return { kind: 'done', status: row.status_code, body: row.body };
    const taken = await this.db.exec(
      'idempotency.claim',
      `UPDATE idempotency_keys SET created_at = NOW(3)
        WHERE idem_key = ? AND scope = ? AND status_code IS NULL AND created_at < NOW(3) - INTERVAL ${STALE_SECONDS} SECOND`,
      [key, scope],
      { retry: 'notApplied' },
    );
    return taken.affectedRows === 1 ? { kind: 'owner' } : { kind: 'in_progress' };
  }

  async complete(key: string, scope: string, status: number, body: string): Promise<void> {
    await this.db.exec('idempotency.complete', 'UPDATE idempotency_keys SET status_code = ?, body = ? WHERE idem_key = ? AND scope = ?', [status, body, key, scope], {
      retry: 'safe',
    });
  }

  /** Frees a claim whose request failed for a reason worth retrying (5xx). */
  async release(key: string, scope: string): Promise<void> {
    await this.db.exec('idempotency.release', 'DELETE FROM idempotency_keys WHERE idem_key = ? AND scope = ? AND status_code IS NULL', [key, scope], {
      retry: 'safe',
    });
  }
}
