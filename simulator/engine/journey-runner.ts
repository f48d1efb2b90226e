// Plays one planned journey against the shop. Every request is counted (each attempt of a
// retry too, so the client's counts match the server's); a step without a 2xx ends the
// journey as "failed"; nothing here throws on what the network or the shop does.
// Writes carry an Idempotency-Key that a retry reuses, so a retried write is applied once
// and the ledger holds exactly what the shop acknowledged. Behind the edge (docs/edge.md) a
// journey is one client: it names itself, paces itself when its quota is spent, and waits
// Retry-After when refused; a refused request is counted as "limited", never as an error.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeOutcome, type HttpClient, type HttpOutcome } from '../../shared/http-client.ts';
import type { Id, Ledger } from './ledger.ts';
import type { JourneyPlan, JourneyStep, InjectedError } from './journey-plan.ts';
import type { JourneyResult, RunStats } from './stats.ts';
import { CLIENT_HEADER, isRateLimited, paceMs, retryAfterMs } from '../../shared/rate-limit.ts';

export interface JourneyContext {
  http: HttpClient;
  stats: RunStats;
  ledger: Ledger;
  /** extra attempts after a timeout, a connection error or a 503 */
  retries: number;
  backoffMs: number;
  /** longest pause between two attempts; default 2 s */
  maxBackoffMs?: number;
  /** true once the run is stopping: the journey ends after its current request */
  isStopping: () => boolean;
  /** aborted on a hard stop: in-flight requests are abandoned */
  signal: AbortSignal;
  /** the journey's name for the edge's rate limits (X-SmartShop-Client); none: not sent */
  client?: string;
  /** the journey's own pacing: no request before this epoch ms (its quota was spent) */
  pace?: { until: number };
  /** requests of this journey that stayed limited after their waits (ends it as "limited") */
  limitedSeen?: { count: number };
  /** how often one request waits Retry-After and tries again before it counts as limited
   * (default 5; a flood's journeys, a runaway client, 0: they do not wait) */
  limitedAttempts?: number;
}

const LIMITED_ATTEMPTS = 5;
/** The longest Retry-After a journey waits out. */
const LONGEST_LIMITED_WAIT_MS = 10_000;

interface JourneyState {
  userId?: Id;
  productIds: Id[];
  orders: (OrderView | undefined)[];
}

interface OrderView {
  id: Id;
  user_id?: Id;
  product_id?: Id;
  quantity?: number;
  amount?: number | string;
  status?: string;
}

export async function runJourney(plan: JourneyPlan, ctx: JourneyContext): Promise<JourneyResult> {
  const state: JourneyState = { productIds: [], orders: [] };
  for (const step of plan.steps) {
    if (ctx.isStopping() || ctx.signal.aborted) return 'stopped';
    const ok = step.type === 'injectError' ? await injectError(step.error, ctx) : await runStep(step, state, ctx);
    if (!ok) return ctx.signal.aborted ? 'stopped' : (ctx.limitedSeen?.count ?? 0) > 0 ? 'limited' : 'failed';
  }
  return 'completed';
}

async function runStep(step: Exclude<JourneyStep, { type: 'injectError' }>, state: JourneyState, ctx: JourneyContext): Promise<boolean> {
  const userId = state.userId;
  switch (step.type) {
    case 'createUser': {
      const res = await send(ctx, 'POST /api/users/create', '/api/users/create', { body: step.body, write: true });
      const user = ok(res) ? asRecord(unwrap(res.body, 'user')) : undefined;
      if (!user || !isId(user.id)) return false;
      state.userId = user.id;
      ctx.ledger.recordUser({ id: user.id, name: str(user.name), email: str(user.email) });
      return true;
    }
    case 'login':
      return userId !== undefined && ok(await send(ctx, 'POST /api/users/login/:id', `/api/users/login/${userId}`, { write: true }));
    case 'logout':
      return userId !== undefined && ok(await send(ctx, 'POST /api/users/logout/:id', `/api/users/logout/${userId}`, { write: true }));
    case 'getUser':
      return userId !== undefined && ok(await send(ctx, 'GET /api/users/:id', `/api/users/${userId}`));
    case 'stats':
      return ok(await send(ctx, 'GET /api/stats', '/api/stats'));
    case 'browse': {
      const res = await send(ctx, 'GET /api/products', '/api/products');
      if (!ok(res)) return false;
      const list = unwrap(res.body, 'products');
      state.productIds = Array.isArray(list) ? list.map((p) => asRecord(p)?.id).filter(isId) : [];
      return state.productIds.length > 0;
    }
    case 'createOrder': {
      if (userId === undefined) return false;
      const productId = state.productIds[Math.floor(step.productPick * state.productIds.length)];
      if (productId === undefined) return false;
      const res = await send(ctx, 'POST /api/orders/create', '/api/orders/create', { body: { userId, productId, quantity: step.quantity }, write: true });
      const order = ok(res) ? asOrder(unwrap(res.body, 'order')) : undefined;
      if (!order) return false;
      state.orders[step.order] = order;
      recordOrder(ctx, order, userId, true);
      return true;
    }
    case 'validate':
    case 'process':
    case 'cancel':
      return transition(step.type, step.order, state, ctx);
    case 'pay':
      return pay(step.order, step.status, state, ctx);
    case 'getOrder': {
      const order = state.orders[step.order];
      return order !== undefined && ok(await send(ctx, 'GET /api/orders/:id', `/api/orders/${order.id}`));
    }
    case 'awaitFulfilment':
      return awaitFulfilment(step.order, state, ctx);
  }
}

async function transition(action: 'validate' | 'process' | 'cancel', index: number, state: JourneyState, ctx: JourneyContext): Promise<boolean> {
  const order = state.orders[index];
  if (!order) return false;
  const res = await send(ctx, `POST /api/orders/${action}/:id`, `/api/orders/${action}/${order.id}`, { write: true });
  if (!ok(res)) return false;
  const updated = asOrder(unwrap(res.body, 'order')) ?? { ...order, status: { validate: 'validated', process: 'processing', cancel: 'cancelled' }[action] };
  state.orders[index] = updated;
  recordOrder(ctx, updated, state.userId);
  return true;
}

async function pay(index: number, status: 'success' | 'failed', state: JourneyState, ctx: JourneyContext): Promise<boolean> {
  const order = state.orders[index];
  if (!order) return false;
  const res = await send(ctx, 'POST /api/payments/process/:orderId', `/api/payments/process/${order.id}`, { body: { status }, write: true });
  if (res.kind !== 'response') return false;
  const body = asRecord(res.body);
  const payment = asRecord(body?.payment);
  // a declined payment is still an acknowledged write when the shop returns its record
  const acknowledged = (res.status >= 200 && res.status < 300) || res.status === 402;
  if (!payment || !isId(payment.id) || !acknowledged) return false;
  const outcome = payment.status === 'success' ? 'success' : 'failed';
  ctx.stats.recordPayment(outcome);
  ctx.ledger.recordPayment({ id: payment.id, orderId: isId(payment.order_id) ? payment.order_id : order.id, status: String(payment.status), amount: num(payment.amount) });
  const updated = asOrder(body?.order);
  if (updated) {
    state.orders[index] = updated;
    recordOrder(ctx, updated, state.userId);
  }
  return true;
}

/** How long a journey waits for a paid order to be shipped before it counts it as not shipped in time. */
const FULFILMENT_WAIT_MS = 10_000;
const FIRST_PAUSE_MS = 250;
const LONGEST_PAUSE_MS = 2_000;

/**
 * Reads the paid order back (backing off 0.25 s → 2 s) until the shop shows its shipment,
 * within FULFILMENT_WAIT_MS; records the lag the shop measured (paid → shipped). Not shipped
 * in time is counted, not a failed journey: the customer was answered, the warehouse is late.
 */
async function awaitFulfilment(index: number, state: JourneyState, ctx: JourneyContext): Promise<boolean> {
  const order = state.orders[index];
  // the payment the plan asked to succeed may have been declined: nothing to ship
  if (order === undefined || (order.status !== 'paid' && order.status !== 'fulfilled')) return true;
  const until = Date.now() + FULFILMENT_WAIT_MS;
  for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(LONGEST_PAUSE_MS, pause * 2)) {
    const res = await send(ctx, 'GET /api/orders/:id', `/api/orders/${order.id}`);
    if (!ok(res)) return false;
    const f = asRecord(asRecord(res.body)?.fulfilment);
    if (f?.state === 'fulfilled' && typeof f.lagMs === 'number') {
      ctx.stats.recordFulfilment(f.lagMs / 1000);
      ctx.ledger.recordFulfilment({ orderId: order.id, lagMs: f.lagMs });
      return true;
    }
    if (ctx.isStopping() || ctx.signal.aborted) return true; // a stop is not a late shipment
    if (Date.now() + pause > until) {
      ctx.stats.recordFulfilment(undefined);
      ctx.ledger.recordFulfilment({ orderId: order.id, lagMs: null });
      return true;
    }
    await sleep(pause, undefined, { signal: ctx.signal }).catch(() => undefined);
  }
}

async function injectError(error: InjectedError, ctx: JourneyContext): Promise<boolean> {
  ctx.stats.recordInjected(error.kind);
  // injected errors are never retried: failing is their purpose
  if (error.kind === 'custom') {
    await send(ctx, 'POST /api/errors/custom', '/api/errors/custom', { body: { status: error.status, message: error.message }, retry: false });
  } else {
    await send(ctx, `GET /api/errors/${error.kind}`, `/api/errors/${error.kind}`, { retry: false });
  }
  return true;
}

interface SendOptions {
  body?: unknown;
  write?: boolean;
  retry?: boolean;
}

/**
 * One logical request: bounded retries after a timeout, a connection error, a 503, or a
 * 409 that carries Retry-After (a write conflict that applied nothing; its key is released).
 */
export async function send(ctx: JourneyContext, endpoint: string, path: string, options: SendOptions = {}): Promise<HttpOutcome> {
  const method = endpoint.slice(0, endpoint.indexOf(' '));
  const key = options.write ? randomUUID() : undefined;
  const headers: Record<string, string> = {};
  if (key) headers['idempotency-key'] = key;
  if (ctx.client) headers[CLIENT_HEADER] = ctx.client;
  let limitedWaits = 0;
  // an earlier attempt may have reached the shop (a timeout, a reset): then a later refusal
  // does not make the write certain not to have happened
  let uncertain = false;
  for (let attempt = 0; ; attempt++) {
    const held = (ctx.pace?.until ?? 0) - Date.now();
    if (held > 0) await sleep(held, undefined, { signal: ctx.signal }).catch(() => undefined);
    const res = await ctx.http.request(method, path, { body: options.body, headers, signal: ctx.signal });
    ctx.stats.recordRequest(endpoint, res, attempt > 0, ctx.client);
    if (ctx.pace) ctx.pace.until = Date.now() + paceMs(res);
    if (isRateLimited(res)) {
      // refused at the edge: nothing reached the shop, so the same request (same key) is
      // simply sent again after Retry-After; a stop ends the waiting
      if (limitedWaits++ < (ctx.limitedAttempts ?? LIMITED_ATTEMPTS) && !ctx.isStopping() && !ctx.signal.aborted) {
        await sleep(Math.min(LONGEST_LIMITED_WAIT_MS, retryAfterMs(res)), undefined, { signal: ctx.signal }).catch(() => undefined);
        continue;
      }
      if (ctx.limitedSeen) ctx.limitedSeen.count++;
      if (key && uncertain) ctx.ledger.recordUncertain({ endpoint, path, idempotencyKey: key, lastOutcome: 'refused by the edge after an attempt of unknown fate' });
      else if (key) ctx.ledger.recordLimited({ endpoint, path, idempotencyKey: key });
      return res;
    }
    if (isUncertain(res)) uncertain = true;
    const retryable = res.kind === 'timeout' || (res.kind === 'error' && res.code !== 'ABORTED') ||
      (res.kind === 'response' && (res.status === 503 || (res.status === 409 && res.headers.get('retry-after') !== null)));
    // the retry budget is for failures; waits at the edge do not spend it
    const failures = attempt - limitedWaits;
    if (options.retry === false || !retryable || failures >= ctx.retries || ctx.signal.aborted) {
      if (key) recordKeyed(ctx, { endpoint, method, path, key, body: options.body }, res);
      return res;
    }
    await sleep(backoffMs(ctx.backoffMs, failures, res, ctx.maxBackoffMs ?? 2_000), undefined, { signal: ctx.signal }).catch(() => undefined);
  }
}

/** What became of a keyed write, for the ledger: unknown, rejected (4xx), or its answer. */
function recordKeyed(ctx: JourneyContext, w: { endpoint: string; method: string; path: string; key: string; body: unknown }, res: HttpOutcome): void {
  if (isUncertain(res)) {
    ctx.ledger.recordUncertain({ endpoint: w.endpoint, path: w.path, idempotencyKey: w.key, lastOutcome: describeOutcome(res) });
  } else if (res.kind === 'response' && res.status >= 400) {
    const error = asRecord(res.body)?.error;
    ctx.ledger.recordRejected({ endpoint: w.endpoint, path: w.path, idempotencyKey: w.key, status: res.status, error: typeof error === 'string' ? error : null });
  } else if (res.kind === 'response') {
    ctx.ledger.recordAnswer({
      method: w.method,
      path: w.path,
      idempotencyKey: w.key,
      body: w.body,
      status: res.status,
      answer: res.body,
      replayed: res.headers.get('idempotent-replayed') === 'true',
    });
  }
}

/** exponential backoff with full jitter, or the shop's Retry-After, never longer than maxMs */
export function backoffMs(base: number, attempt: number, res: HttpOutcome, maxMs: number): number {
  const retryAfter = res.kind === 'response' ? Number(res.headers.get('retry-after')) : Number.NaN;
  if (Number.isFinite(retryAfter) && retryAfter > 0) return Math.min(maxMs, retryAfter * 1000);
  return Math.min(maxMs, Math.random() * base * 2 ** Math.min(attempt, 30));
}

/**
 * A write whose effect is unknown: it may have been applied. Refused connections never
 * were and 4xx were rejected; an abandoned (ABORTED) request may have reached the shop.
 */
function isUncertain(res: HttpOutcome): boolean {
  if (res.kind === 'timeout') return true;
  if (res.kind === 'error') return res.code !== 'ECONNREFUSED';
  return res.status >= 500;
}

function ok(res: HttpOutcome): res is Extract<HttpOutcome, { kind: 'response' }> {
  return res.kind === 'response' && res.status >= 200 && res.status < 300;
}

function recordOrder(ctx: JourneyContext, order: OrderView, userId: Id | undefined, created = false): void {
  ctx.ledger.recordOrder(
    {
    id: order.id,
    userId: order.user_id ?? userId ?? '',
    productId: order.product_id ?? null,
    quantity: typeof order.quantity === 'number' ? order.quantity : null,
    amount: num(order.amount),
    status: order.status ?? 'unknown',
    },
    created,
  );
}

function asOrder(value: unknown): OrderView | undefined {
  const rec = asRecord(value);
  if (!rec || !isId(rec.id)) return undefined;
  return {
    id: rec.id,
    user_id: isId(rec.user_id) ? rec.user_id : undefined,
    product_id: isId(rec.product_id) ? rec.product_id : undefined,
    quantity: typeof rec.quantity === 'number' ? rec.quantity : undefined,
    amount: typeof rec.amount === 'number' || typeof rec.amount === 'string' ? rec.amount : undefined,
    status: typeof rec.status === 'string' ? rec.status : undefined,
  };
}

/** accept both `{...}` and `{ user: {...} }` */
function unwrap(body: unknown, key: string): unknown {
  const rec = asRecord(body);
  return rec && key in rec ? rec[key] : body;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function isId(value: unknown): value is Id {
  return (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value !== '');
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function num(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : null;
}
