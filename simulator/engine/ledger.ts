// Every write the shop acknowledged with a 2xx, as the client saw it. The chaos drills
// compare this with the database afterwards: whatever is here must still be there
// (users, orders in at least this state, payments with this id and status).
// Writes whose fate is unknown (timed out, connection reset after sending, retries
// exhausted) are listed apart as `uncertain`: they may or may not have happened.

export type Id = number | string;

export interface LedgerUser {
  id: Id;
  name: string | null;
  email: string | null;
  ackAt: string;
}

export interface LedgerOrder {
  id: Id;
  userId: Id;
  productId: Id | null;
  quantity: number | null;
  amount: number | null;
  /** the last state the shop acknowledged for this order */
  status: string;
  ackAt: string;
}

export interface LedgerPayment {
  id: Id;
  orderId: Id;
  status: string;
  amount: number | null;
  ackAt: string;
}

export interface LedgerUncertainWrite {
  endpoint: string;
  path: string;
  idempotencyKey: string;
  /** what the client saw last: "timeout", "HTTP 503", "ECONNRESET" ... */
  lastOutcome: string;
  at: string;
}

export interface LedgerExport {
  target: string;
  startedAt: string;
  exportedAt: string;
  users: LedgerUser[];
  orders: LedgerOrder[];
  payments: LedgerPayment[];
  uncertain: LedgerUncertainWrite[];
}

export interface LedgerCounts {
  users: number;
  orders: number;
  payments: number;
  uncertain: number;
}

export class Ledger {
  private readonly users = new Map<string, LedgerUser>();
  private readonly orders = new Map<string, LedgerOrder>();
  private readonly payments = new Map<string, LedgerPayment>();
  private readonly uncertain: LedgerUncertainWrite[] = [];
  private readonly tally: LedgerCounts = { users: 0, orders: 0, payments: 0, uncertain: 0 };

  /**
   * @param keep false = count only (a continuous run of days would otherwise hold millions
   *   of rows nobody reads); export() then returns empty lists.
   */
  constructor(
    readonly target: string,
    readonly startedAt: string = new Date().toISOString(),
    readonly keep = true,
  ) {}

  recordUser(user: Omit<LedgerUser, 'ackAt'>): void {
    this.tally.users++;
    if (this.keep) this.users.set(String(user.id), { ...user, ackAt: now() });
  }

  /** a create (`created` true) or a state change; the latest acknowledgement wins */
  recordOrder(order: Omit<LedgerOrder, 'ackAt'>, created = false): void {
    if (created) this.tally.orders++;
    if (this.keep) this.orders.set(String(order.id), { ...order, ackAt: now() });
  }

  recordPayment(payment: Omit<LedgerPayment, 'ackAt'>): void {
    this.tally.payments++;
    if (this.keep) this.payments.set(String(payment.id), { ...payment, ackAt: now() });
  }

  recordUncertain(write: Omit<LedgerUncertainWrite, 'at'>): void {
    this.tally.uncertain++;
    if (this.keep) this.uncertain.push({ ...write, at: now() });
  }

  counts(): LedgerCounts {
    return { ...this.tally };
  }

  export(): LedgerExport {
    return {
      target: this.target,
      startedAt: this.startedAt,
      exportedAt: now(),
      users: [...this.users.values()],
      orders: [...this.orders.values()],
      payments: [...this.payments.values()],
      uncertain: [...this.uncertain],
    };
  }

  toJSON(): LedgerExport {
    return this.export();
  }
}

function now(): string {
  return new Date().toISOString();
}
