// The transactional outbox (docs/fulfilment.md): events written in the transaction of the
// change they announce, and the relay's side: the lease that makes one replica the
// publisher, the oldest unpublished rows, and marking rows published after the broker
// confirmed them.
import { randomUUID } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import type { Database, Tx } from './database.ts';
import type { OrderRow } from './orders-repository.ts';
import { ORDER_PAID, type OrderPaidEvent } from '../../shared/broker.ts';

const RELAY_LEASE = 'outbox-relay';

export interface OutboxRow {
  id: string;
  type: string;
  payload: string;
  createdAt: Date;
}

/** The paid order's event, in the payment's transaction; its id is the message id consumers dedupe on. */
export async function addToOutbox(tx: Tx, order: OrderRow): Promise<void> {
  const event: OrderPaidEvent = { orderId: Number(order.id), amount: String(order.amount), paidAt: order.updated_at.toISOString() };
  await tx.exec('INSERT INTO outbox (id, type, payload) VALUES (?, ?, ?)', [randomUUID(), ORDER_PAID, JSON.stringify(event)]);
}

/**
 * Takes or renews the lease for `ttlMs`: one conditional UPDATE (Galera has no GET_LOCK),
 * which succeeds when the lease is free, expired or already ours. Two replicas racing on
 * different nodes conflict at certification and one of them gets nothing.
 */
export async function claimLease(db: Database, holder: string, ttlMs: number): Promise<boolean> {
  const res = await db.exec(
    'lease.claim',
    `UPDATE leases SET holder = ?, expires_at = NOW(3) + INTERVAL ? MICROSECOND
      WHERE name = ? AND (holder = ? OR holder IS NULL OR expires_at < NOW(3))`,
    [holder, ttlMs * 1000, RELAY_LEASE, holder],
    { retry: 'safe' },
  );
  return res.affectedRows === 1;
}

/** Gives the lease up at once (a replica shutting down), so another takes over without waiting for expiry. */
export async function releaseLease(db: Database, holder: string): Promise<void> {
  await db.exec('lease.release', 'UPDATE leases SET holder = NULL, expires_at = NOW(3) WHERE name = ? AND holder = ?', [RELAY_LEASE, holder], { retry: 'safe' });
}

interface OutboxDbRow extends RowDataPacket {
  id: string;
  type: string;
  payload: string | object;
  created_at: Date;
}

export async function unpublished(db: Database, limit: number): Promise<OutboxRow[]> {
  const rows = await db.rows<OutboxDbRow>(
    'outbox.unpublished',
    'SELECT id, type, payload, created_at FROM outbox WHERE published_at IS NULL ORDER BY created_at LIMIT ?',
    [limit],
    // not causal: a row another node committed a moment ago and this read misses is taken at
    // the next poll, and the causal wait would sit on every publish's path
  );
  return rows.map((r) => ({ id: r.id, type: r.type, payload: typeof r.payload === 'string' ? r.payload : JSON.stringify(r.payload), createdAt: r.created_at }));
}

export async function markPublished(db: Database, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.exec('outbox.mark', `UPDATE outbox SET published_at = NOW(3) WHERE id IN (${ids.map(() => '?').join(', ')}) AND published_at IS NULL`, ids, { retry: 'safe' });
}

export interface OutboxBacklog {
  rows: number;
  oldestSeconds: number;
}

/** Unpublished rows and the age of the oldest, from the (published_at, created_at) index. */
export async function outboxBacklog(db: Database): Promise<OutboxBacklog> {
  const [row] = await db.rows<RowDataPacket & { n: number | string; age: number | string | null }>(
    'outbox.backlog',
    'SELECT COUNT(*) AS n, TIMESTAMPDIFF(MICROSECOND, MIN(created_at), NOW(3)) / 1000000 AS age FROM outbox WHERE published_at IS NULL',
  );
  return { rows: Number(row?.n ?? 0), oldestSeconds: row?.age == null ? 0 : Math.max(0, Number(row.age)) };
}
