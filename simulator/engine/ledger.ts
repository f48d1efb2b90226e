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

/** A keyed write whose final answer was a 4xx: rejected, not applied (or so the shop says). */
export interface LedgerRejectedWrite {
  endpoint: string;
  path: string;
  idempotencyKey: string;
  status: number;
  /** the error code of the JSON body, when there is one */
  error: string | null;
  at: string;
}

/** A keyed write the edge kept refusing (429, rate limited): it never reached the shop. */
export interface LedgerLimitedWrite {
  endpoint: string;
  path: string;
  idempotencyKey: string;
  at: string;
}

/** A keyed write's 2xx answer as the client got it (kept only when the run records answers). */
export interface LedgerAnswer {
  method: string;
  path: string;
  idempotencyKey: string;
  body: unknown;
  status: number;
  answer: unknown;
  /** the answer carried Idempotent-Replayed: an earlier attempt had done the work */
  replayed: boolean;
}

/** A paid order the journey waited on: shipped after lagMs (paid → shipped, the shop's clock), or not within the bound (null). */
export interface LedgerFulfilment {
  orderId: Id;
  lagMs: number | null;
  /** when the journey stopped waiting */
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
  rejected: LedgerRejectedWrite[];
  limited: LedgerLimitedWrite[];
  answers: LedgerAnswer[];
  fulfilments: LedgerFulfilment[];
}

export interface LedgerCounts {
  users: number;
  orders: number;
  payments: number;
  uncertain: number;
  rejected: number;
  /** keyed writes the edge's rate limit refused to the end (never acknowledged) */
  limited: number;
  /** keyed 2xx answers that were replays of an earlier attempt */
  replayed: number;
}

export class Ledger {
  private readonly users = new Map<string, LedgerUser>();
  private readonly orders = new Map<string, LedgerOrder>();
  private readonly payments = new Map<string, LedgerPayment>();
  private readonly uncertain: LedgerUncertainWrite[] = [];
  private readonly rejected: LedgerRejectedWrite[] = [];
  private readonly limited: LedgerLimitedWrite[] = [];
  private readonly answers: LedgerAnswer[] = [];
  private readonly fulfilments: LedgerFulfilment[] = [];
  private readonly tally: LedgerCounts = { users: 0, orders: 0, payments: 0, uncertain: 0, rejected: 0, limited: 0, replayed: 0 };

  /**
   * @param keep false = count only (a continuous run of days would otherwise hold millions
   *   of rows nobody reads); export() then returns empty lists.
   * @param keepAnswers also keep every keyed 2xx answer with its request (a drill re-sends
   *   them to check that each replays the same answer)
   */
  constructor(
    readonly target: string,
    readonly startedAt: string = new Date().toISOString(),
    readonly keep = true,
    readonly keepAnswers = false,
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

  recordRejected(write: Omit<LedgerRejectedWrite, 'at'>): void {
    this.tally.rejected++;
    if (this.keep) this.rejected.push({ ...write, at: now() });
  }

  recordLimited(write: Omit<LedgerLimitedWrite, 'at'>): void {
    this.tally.limited++;
    if (this.keep) this.limited.push({ ...write, at: now() });
  }

  recordFulfilment(f: Omit<LedgerFulfilment, 'at'>): void {
    if (this.keep) this.fulfilments.push({ ...f, at: now() });
  }

  recordAnswer(answer: LedgerAnswer): void {
    if (answer.replayed) this.tally.replayed++;
    if (this.keep && this.keepAnswers) this.answers.push(answer);
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
      rejected: [...this.rejected],
      limited: [...this.limited],
      answers: [...this.answers],
      fulfilments: [...this.fulfilments],
    };
  }

  toJSON(): LedgerExport {
    return this.export();
  }
}

function now(): string {
  return new Date().toISOString();
}
