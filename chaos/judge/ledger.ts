// The ledger check: every order and payment the shop acknowledged with a 2xx during the
// drill must be on EVERY Galera node, in the acknowledged state or a later legal one.
// Pure comparison; reading the nodes is in judge/read-nodes.ts.

type OrderStatus = 'pending' | 'validated' | 'processing' | 'paid' | 'failed' | 'cancelled' | 'fulfilled';

/** Order states reachable from each state (the shop's state machine: app/domain/order-states.ts). */
const reachable: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ['validated', 'processing', 'paid', 'failed', 'cancelled', 'fulfilled'],
  validated: ['processing', 'paid', 'failed', 'cancelled', 'fulfilled'],
  processing: ['paid', 'failed', 'cancelled', 'fulfilled'],
  // a worker ships a paid order (docs/fulfilment.md)
  paid: ['fulfilled'],
  fulfilled: [],
  failed: [],
  cancelled: [],
};

function isOrderStatus(s: string): s is OrderStatus {
  return s in reachable;
}

/** found is the acknowledged state or one the state machine can reach from it. */
export function isSameOrLaterOrderState(acked: string, found: string): boolean {
  if (acked === found) return true;
  if (!isOrderStatus(acked)) return false;
  return (reachable[acked] as readonly string[]).includes(found);
}

interface AckedOrder {
  id: string;
  status: string;
  /** when the last state was acknowledged (ISO); the row must be older */
  ackAt?: string;
}
interface AckedPayment {
  id: string;
  orderId: string;
  status: string;
  ackAt?: string;
}
/** What the shop acknowledged during the drill (last acknowledged state per id). */
export interface AckLedger {
  users: { id: string; ackAt?: string }[];
  orders: AckedOrder[];
  payments: AckedPayment[];
}

/** What one node holds for the ledger's ids; `error` when the node could not be read at all. */
export interface NodeRows {
  node: string;
  users: Set<string>;
  orders: Map<string, string>; // id -> status
  payments: Map<string, string>; // id -> status
  /**
   * "user 1318": a row with the id, but created after the write was acknowledged: another
   * row that was handed the id again (after a restore lost the first one). Counted absent.
   */
  reused?: string[];
  error?: string;
}

interface MissingWrite {
  kind: 'user' | 'order' | 'payment';
  id: string;
  /** nodes that do not have the row */
  nodes: string[];
}
export interface RegressedWrite {
  kind: MissingWrite['kind'];
  id: string;
  node: string;
  acknowledged: string;
  found: string;
}

export interface LedgerResult {
  acknowledged: { users: number; orders: number; payments: number };
  /** acknowledged rows present, in a legal state, on every node that could be read */
  foundOnEveryNode: number;
  missing: MissingWrite[];
  /** present but in an earlier state than the one acknowledged (a lost transition, or a stale read) */
  regressed: RegressedWrite[];
  /** acknowledged ids now naming another, newer row (NodeRows.reused), on any node */
  reusedIds: string[];
  unreadableNodes: { node: string; error: string }[];
}

export function compareLedger(ledger: AckLedger, nodes: NodeRows[]): LedgerResult {
  const readable = nodes.filter((n) => n.error === undefined);
  const unreadableNodes = nodes.filter((n) => n.error !== undefined).map((n) => ({ node: n.node, error: n.error ?? '' }));
  const missing: MissingWrite[] = [];
  const regressed: RegressedWrite[] = [];
  let foundOnEveryNode = 0;

  const check = (kind: MissingWrite['kind'], id: string, acked: string, rowsOf: (n: NodeRows) => Map<string, string>, legal: (a: string, f: string) => boolean) => {
    const absent: string[] = [];
    let ok = true;
    for (const n of readable) {
      const found = rowsOf(n).get(id);
      if (found === undefined) {
        absent.push(n.node);
        ok = false;
      } else if (!legal(acked, found)) {
        regressed.push({ kind, id, node: n.node, acknowledged: acked, found });
        ok = false;
      }
    }
    if (absent.length > 0) missing.push({ kind, id, nodes: absent });
    if (ok && readable.length > 0) foundOnEveryNode++;
  };

  const presence = new Map(readable.map((n) => [n.node, new Map([...n.users].map((id) => [id, 'present']))]));
  const present = (n: NodeRows): Map<string, string> => presence.get(n.node) ?? new Map<string, string>();
  for (const u of ledger.users) check('user', u.id, 'present', present, (a, f) => a === f);
  for (const o of ledger.orders) check('order', o.id, o.status, (n) => n.orders, isSameOrLaterOrderState);
  // a payment row never changes state once written
  for (const p of ledger.payments) check('payment', p.id, p.status, (n) => n.payments, (a, f) => a === f);

  const reusedIds = [...new Set(readable.flatMap((n) => n.reused ?? []))];
  return { acknowledged: { users: ledger.users.length, orders: ledger.orders.length, payments: ledger.payments.length }, foundOnEveryNode, missing, regressed, reusedIds, unreadableNodes };
}

/** Ids the first read flagged, to read again after a pause: causal reads should never be stale, but we measure, not assume. */
export function suspectIds(result: LedgerResult): AckLedgerIds {
  const ids: AckLedgerIds = { user: new Set(), order: new Set(), payment: new Set() };
  for (const m of [...result.missing, ...result.regressed]) ids[m.kind].add(m.id);
  return ids;
}

export type AckLedgerIds = Record<MissingWrite['kind'], Set<string>>;

/** The part of a ledger whose ids are in `ids` (to re-read only the suspects). */
export function restrictLedger(ledger: AckLedger, ids: AckLedgerIds): AckLedger {
  return {
    users: ledger.users.filter((u) => ids.user.has(u.id)),
    orders: ledger.orders.filter((o) => ids.order.has(o.id)),
    payments: ledger.payments.filter((p) => ids.payment.has(p.id)),
  };
}

/** The simulator's ledger export, with ids as strings. */
export function fromSimulatorLedger(x: {
  users: { id: number | string; ackAt?: string }[];
  orders: { id: number | string; status: string; ackAt?: string }[];
  payments: { id: number | string; orderId: number | string; status: string; ackAt?: string }[];
}): AckLedger {
  const at = (e: { ackAt?: string }): { ackAt?: string } => (e.ackAt === undefined ? {} : { ackAt: e.ackAt });
  return {
    users: x.users.map((u) => ({ id: String(u.id), ...at(u) })),
    orders: x.orders.map((o) => ({ id: String(o.id), status: o.status, ...at(o) })),
    payments: x.payments.map((p) => ({ id: String(p.id), orderId: String(p.orderId), status: p.status, ...at(p) })),
  };
}
