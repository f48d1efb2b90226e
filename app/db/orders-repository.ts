// Orders. Creation checks user and product in the INSERT itself; every transition is one
// conditional UPDATE decided by its affected-row count (never read-then-write), because
// Galera does not prevent lost updates between nodes. Writes run in the caller's
// transaction (one commit per request, with its Idempotency-Key record).
import type { RowDataPacket } from 'mysql2/promise';
import type { Database, Tx } from './database.ts';
import { logActivity, type ActivityLevel } from './activity.ts';
import type { WriteTx } from './stat-counters.ts';
import { TRANSITIONS, type OrderAction, type OrderStatus } from '../domain/order-states.ts';

export interface Order {
  id: number;
  user_id: number;
  product_id: number;
  quantity: number;
  amount: number;
  status: OrderStatus;
  created_at: string;
  updated_at: string;
}

export interface OrderRow extends RowDataPacket {
  id: number | string;
  user_id: number | string;
  product_id: number;
  quantity: number;
  amount: string;
  status: string;
  previous_status: string | null;
  created_at: Date;
  updated_at: Date;
  product_name?: string;
}

const ORDER_COLUMNS = 'o.id, o.user_id, o.product_id, o.quantity, o.amount, o.status, o.previous_status, o.created_at, o.updated_at';
/** One order by id, GET /api/orders/:id (exported for the bench's bare loop). */
export const ORDER_BY_ID_SQL = `SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.id = ?`;

export function toOrder(r: OrderRow): Order {
  return {
    id: Number(r.id),
    user_id: Number(r.user_id),
    product_id: Number(r.product_id),
    quantity: Number(r.quantity),
    amount: Number(r.amount),
    status: r.status as OrderStatus,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}

interface ShipmentRow extends RowDataPacket {
  tracking_number: string;
  worker: string;
  paid_at: Date;
  created_at: Date;
}

/** Paid orders still waiting for a worker are counted up to this many (the count's cost is bounded). */
const AWAITING_COUNT_CAP = 10_000;

/** GET /api/fulfilment: what waits for a worker, and what the workers shipped last. */
export interface FulfilmentOverview {
  /** paid orders not yet shipped; at most AWAITING_COUNT_CAP (then `awaiting_capped`) */
  awaiting_shipment: number;
  awaiting_capped: boolean;
  /** the last shipments, newest first */
  recent_shipments: { order_id: number; tracking_number: string; worker: string; shipped_at: string; lag_ms: number }[];
}

interface RecentShipmentRow extends ShipmentRow {
  order_id: number | string;
}

export type Fulfilment =
  | { state: 'waiting'; waitingMs: number; shipments: 0 }
  | { state: 'fulfilled'; shipment: { trackingNumber: string; worker: string; shippedAt: string }; lagMs: number; shipments: number };

export type CreateOrderResult = { ok: true; order: Order; productName: string } | { ok: false; missing: 'user' | 'product' };

/** Outcome of a transition: applied (with the status it came from), or why not. */
export type TransitionResult =
  | { ok: true; order: Order; from: OrderStatus }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'illegal'; current: OrderStatus };

const LEVEL_OF: Record<OrderAction, ActivityLevel> = { validate: 'low', process: 'low', cancel: 'medium', pay: 'low', fail: 'medium', fulfil: 'low' };

export async function readOrder(tx: Tx, id: number): Promise<OrderRow | undefined> {
  const rows = await tx.rows<OrderRow>(
    `SELECT ${ORDER_COLUMNS}, p.name AS product_name FROM orders o LEFT JOIN products p ON p.id = o.product_id WHERE o.id = ?`,
    [id],
  );
  return rows[0];
}

/** The conditional UPDATE for an action; `previous_status = status` is evaluated first. */
export async function applyTransition(tx: Tx, id: number, action: OrderAction): Promise<boolean> {
  const t = TRANSITIONS[action];
  const placeholders = t.from.map(() => '?').join(', ');
  const res = await tx.exec(
    `UPDATE orders SET previous_status = status, status = ?, updated_at = NOW(3) WHERE id = ? AND status IN (${placeholders})`,
    [t.to, id, ...t.from],
  );
  return res.affectedRows === 1;
}

export async function createOrder(tx: WriteTx, userId: number, productId: number, quantity: number): Promise<CreateOrderResult> {
  // The amount is computed by the server from the DECIMAL price: no float arithmetic.
  const res = await tx.exec(
    `INSERT INTO orders (user_id, product_id, quantity, amount, status)
       SELECT u.id, p.id, ?, p.price * ?, 'pending' FROM users u JOIN products p ON p.id = ? WHERE u.id = ?`,
    [quantity, quantity, productId, userId],
  );
  if (res.affectedRows === 0) {
    const users = await tx.rows<RowDataPacket>('SELECT id FROM users WHERE id = ?', [userId]);
    return { ok: false, missing: users.length === 0 ? 'user' : 'product' };
  }
  const row = (await readOrder(tx, res.insertId)) as OrderRow;
  const order = toOrder(row);
  const productName = row.product_name ?? `product ${productId}`;
  tx.tally.orderCreated();
  await logActivity(tx, 'order.created', 'low', `Order created: ${productName} - ${row.amount}€`);
  return { ok: true, order, productName };
}

export async function transitionOrder(tx: WriteTx, id: number, action: 'validate' | 'process' | 'cancel'): Promise<TransitionResult> {
  const applied = await applyTransition(tx, id, action);
  const row = await readOrder(tx, id);
  if (row === undefined) return { ok: false, reason: 'not_found' };
  if (!applied) return { ok: false, reason: 'illegal', current: row.status as OrderStatus };
  const from = (row.previous_status ?? 'pending') as OrderStatus;
  if (from === 'pending') tx.tally.orderLeftPending();
  await logActivity(tx, `order.${action}`, LEVEL_OF[action], `Order ${row.id} ${from} -> ${row.status}`);
  return { ok: true, order: toOrder(row), from };
}

export class OrdersRepository {
  constructor(private readonly db: Database) {}

  /** Causal read (see Database.QueryOptions): a client reads the order it just changed. */
  async get(id: number): Promise<Order | undefined> {
    const rows = await this.db.rows<OrderRow>('orders.get', ORDER_BY_ID_SQL, [id], { causal: true });
    return rows[0] === undefined ? undefined : toOrder(rows[0]);
  }

  /** A paid order's fulfilment (docs/fulfilment.md): its shipment, or how long it has waited. */
  /** Causal reads, each bounded: an index range of at most AWAITING_COUNT_CAP rows, and the last `recent` shipments by key. */
  async fulfilmentOverview(recent = 10): Promise<FulfilmentOverview> {
    const [count] = await this.db.rows<RowDataPacket & { n: number | string }>(
      'orders.awaiting_shipment',
      `SELECT COUNT(*) AS n FROM (SELECT 1 FROM orders WHERE status = 'paid' LIMIT ${AWAITING_COUNT_CAP + 1}) waiting`,
      [],
      { causal: true },
    );
    const rows = await this.db.rows<RecentShipmentRow>(
      'shipments.recent',
      `SELECT order_id, tracking_number, worker, paid_at, created_at FROM shipments ORDER BY id DESC LIMIT ${Math.max(1, Math.trunc(recent))}`,
      [],
      { causal: true },
    );
    const n = Number(count?.n ?? 0);
    return {
      awaiting_shipment: Math.min(n, AWAITING_COUNT_CAP),
      awaiting_capped: n > AWAITING_COUNT_CAP,
      recent_shipments: rows.map((r) => ({
        order_id: Number(r.order_id),
        tracking_number: r.tracking_number,
        worker: r.worker,
        shipped_at: r.created_at.toISOString(),
        lag_ms: r.created_at.getTime() - r.paid_at.getTime(),
      })),
    };
  }

  async fulfilment(order: Order): Promise<Fulfilment | null> {
    if (order.status !== 'paid' && order.status !== 'fulfilled') return null;
    const rows = await this.db.rows<ShipmentRow>(
      'orders.fulfilment',
      'SELECT tracking_number, worker, paid_at, created_at FROM shipments WHERE order_id = ? ORDER BY id',
      [order.id],
      { causal: true },
    );
    const first = rows[0];
    if (first === undefined) return { state: 'waiting', waitingMs: Math.max(0, Date.now() - Date.parse(order.updated_at)), shipments: 0 };
    return {
      state: 'fulfilled',
      shipment: { trackingNumber: first.tracking_number, worker: first.worker, shippedAt: first.created_at.toISOString() },
      lagMs: first.created_at.getTime() - first.paid_at.getTime(),
      // more than one would be a duplicate fulfilment: the drills' ledger looks here too
      shipments: rows.length,
    };
  }
}

/** The catalogue's ids, read in the caller's transaction (no second pool connection). */
export async function productIds(tx: Tx): Promise<number[]> {
  const rows = await tx.rows<RowDataPacket>('SELECT id FROM products ORDER BY id');
  return rows.map((r) => Number(r.id));
}
