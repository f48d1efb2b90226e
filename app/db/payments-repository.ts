// A payment, in the caller's transaction: the order's conditional transition processing →
// paid|failed, the payment row, the counters, the activity row and, for a paid order, its
// fulfilment event in the outbox (docs/fulfilment.md): one commit, so an order is paid if
// and only if its event will be published. If the order is not in `processing` the UPDATE
// matches nothing and nothing else is written.
import type { RowDataPacket } from 'mysql2/promise';
import { logActivity } from './activity.ts';
import type { WriteTx } from './stat-counters.ts';
import { applyTransition, readOrder, toOrder, type Order, type OrderRow } from './orders-repository.ts';
import type { OrderStatus } from '../domain/order-states.ts';
import { addToOutbox } from './outbox.ts';

export type PaymentOutcome = 'success' | 'failed';

interface Payment {
  id: number;
  order_id: number;
  status: PaymentOutcome;
  amount: number;
}

export type PaymentResult =
  | { ok: true; payment: Payment; order: Order }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'illegal'; current: OrderStatus };

interface PaymentRow extends RowDataPacket {
  id: number | string;
  order_id: number | string;
  status: string;
  amount: string;
}

export async function processPayment(tx: WriteTx, orderId: number, outcome: PaymentOutcome): Promise<PaymentResult> {
  const applied = await applyTransition(tx, orderId, outcome === 'success' ? 'pay' : 'fail');
  if (!applied) {
    const row = await readOrder(tx, orderId);
    if (row === undefined) return { ok: false, reason: 'not_found' };
    return { ok: false, reason: 'illegal', current: row.status as OrderStatus };
  }
  const res = await tx.exec('INSERT INTO payments (order_id, status, amount) SELECT id, ?, amount FROM orders WHERE id = ?', [outcome, orderId]);
  const row = (await readOrder(tx, orderId)) as OrderRow;
  // Revenue counts successful payments only (the tally knows), in exact cents of the DECIMAL.
  tx.tally.payment(outcome, row.amount);
  if (outcome === 'success') await addToOutbox(tx, row);
  await logActivity(tx, `payment.${outcome}`, outcome === 'success' ? 'low' : 'medium', `Payment ${outcome} for order ${orderId} - ${row.amount}€`);
  const payments = await tx.rows<PaymentRow>('SELECT id, order_id, status, amount FROM payments WHERE id = ?', [res.insertId]);
  const p = payments[0] as PaymentRow;
  return {
    ok: true,
    payment: { id: Number(p.id), order_id: Number(p.order_id), status: p.status as PaymentOutcome, amount: Number(p.amount) },
    order: toOrder(row),
  };
}
