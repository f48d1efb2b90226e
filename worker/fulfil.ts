// One message's effect, in one transaction (docs/fulfilment.md): the (consumer, message id)
// record first, then the order's conditional paid → fulfilled and its shipment. A message
// whose record exists was applied before (a redelivery, or a copy the relay published
// twice): nothing is written and the caller acks it. The caller acks only after commit.
import { randomBytes } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import type { Database } from '../app/db/database.ts';
import { applyTransition } from '../app/db/orders-repository.ts';
import type { OrderPaidEvent } from '../shared/broker.ts';
import { FULFILMENT_CONSUMER } from '../shared/queue-names.ts';

const CONSUMER = FULFILMENT_CONSUMER;

export type FulfilOutcome =
  | { kind: 'applied'; trackingNumber: string; lagSeconds: number }
  | { kind: 'duplicate' };

/** The order is not (yet) paid: redelivered, and dead-lettered past the limit. */
export class NotPaidError extends Error {
  constructor(readonly orderId: number, readonly status: string | undefined) {
    super(status === undefined ? `order ${orderId} does not exist` : `order ${orderId} is ${status}, not paid`);
  }
}

const TRACKING_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function trackingNumber(): string {
  return `SS${[...randomBytes(10)].map((b) => TRACKING_ALPHABET[b % TRACKING_ALPHABET.length]).join('')}`;
}

export async function fulfil(db: Database, messageId: string, event: OrderPaidEvent, worker: string, consumer = CONSUMER): Promise<FulfilOutcome> {
  return db.transaction('fulfilment.apply', async (tx) => {
    // Two workers racing on one message: on one node the second waits on the row lock and
    // finds it; on two nodes certification rolls one back (1213) and its retry finds it.
    const claimed = await tx.exec('INSERT IGNORE INTO processed_messages (consumer, message_id) VALUES (?, ?)', [consumer, messageId]);
    if (claimed.affectedRows === 0) return { kind: 'duplicate' };
    if (!(await applyTransition(tx, event.orderId, 'fulfil'))) {
      const [row] = await tx.rows<RowDataPacket & { status: string }>('SELECT status FROM orders WHERE id = ?', [event.orderId]);
      throw new NotPaidError(event.orderId, row?.status);
    }
    const tracking = trackingNumber();
    const paidAt = new Date(event.paidAt);
    await tx.exec('INSERT INTO shipments (order_id, message_id, tracking_number, worker, paid_at) VALUES (?, ?, ?, ?, ?)', [event.orderId, messageId, tracking, worker, paidAt]);
    return { kind: 'applied', trackingNumber: tracking, lagSeconds: Math.max(0, (Date.now() - paidAt.getTime()) / 1000) };
  }, { causal: true });
}
