// One customer journey over HTTP, run by every k6 profile. Every request carries an
// `endpoint` tag (the route template, so thresholds and Prometheus series stay bounded)
// and its body is checked, not just its status. A step that fails ends the journey.
import http from 'k6/http';
import type { RefinedResponse, ResponseType } from 'k6/http';
import { check, sleep } from 'k6';
import exec from 'k6/execution';
import { Counter, Rate } from 'k6/metrics';
import { BASE_URL } from './config.ts';
import { expectedStatus, planJourney, statusAfterPayment, type Step } from './plan.ts';

export const journeysCompleted = new Rate('journeys_completed');
export const paymentsSent = new Counter('payments_sent');
export const retries = new Counter('write_retries');

type Body = Record<string, unknown>;
type Res = RefinedResponse<ResponseType | undefined>;

interface State {
  userId?: number;
  productIds: number[];
  orders: (number | undefined)[];
}

// Unique per VU and run: Idempotency-Keys must never repeat across runs against one shop.
const runTag = `${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}`;
let keySeq = 0;

function idempotencyKey(): string {
  keySeq += 1;
  return `k6-${runTag}-${exec.vu.idInTest}-${keySeq}`;
}

export function bodyOf(res: Res): Body | undefined {
  try {
    const parsed: unknown = res.json();
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Body) : undefined;
  } catch {
    return undefined;
  }
}

function listOf(res: Res): unknown[] {
  try {
    const parsed: unknown = res.json();
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

// A failed step is logged (a few per VU) with what the shop answered, so a red check in CI
// says why without re-running with --http-debug.
let warnings = 0;
function explain(step: Step, res: Res | undefined): void {
  if (warnings >= 3 || res === undefined) return;
  warnings += 1;
  console.warn(`step ${step.type} failed: ${res.request.method} ${res.url} -> ${res.status} ${String(res.body ?? res.error).slice(0, 200)}`);
}

function isId(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

let lastResponse: Res | undefined;

export function get(endpoint: string, path: string): Res {
  return lastResponse = http.get(`${BASE_URL}${path}`, { tags: { endpoint, name: endpoint } });
}

/**
 * A write, retried like a careful client, at most twice: on 503 (database unavailable; the
 * shop releases the key, so the same Idempotency-Key is reused and the write applies once)
 * and on 409 "conflict" (a Galera certification failure: nothing was applied, and the shop
 * stores that 409 under the key, so the retry needs a new key). Each attempt still counts
 * in http_req_failed; retried attempts carry the tag retry=true.
 */
export function post(endpoint: string, path: string, body?: object): Res {
  const headers = { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey() };
  const payload = body === undefined ? null : JSON.stringify(body);
  let res = http.post(`${BASE_URL}${path}`, payload, { headers, tags: { endpoint, name: endpoint } });
  for (let attempt = 1; attempt <= 2 && isRetryable(res); attempt++) {
    retries.add(1, { endpoint });
    const after = Number(res.headers['Retry-After']);
    sleep(Number.isFinite(after) && after > 0 ? Math.min(after, 2) : 0.2 * attempt);
    if (res.status === 409) headers['Idempotency-Key'] = idempotencyKey();
    res = http.post(`${BASE_URL}${path}`, payload, { headers, tags: { endpoint, name: endpoint, retry: 'true' } });
  }
  return lastResponse = res;
}

function isRetryable(res: Res): boolean {
  return res.status === 503 || (res.status === 409 && bodyOf(res)?.error === 'conflict');
}

function orderCheck(res: Res, name: string, status: string, id?: number): boolean {
  const b = bodyOf(res);
  return check(res, {
    [`${name}: 2xx`]: (r) => r.status >= 200 && r.status < 300,
    [`${name}: order ${status}`]: () => b !== undefined && b.status === status && (id === undefined || b.id === id),
  });
}

function runStep(step: Step, s: State): boolean {
  const userId = s.userId;
  switch (step.type) {
    case 'createUser': {
      const res = post('POST /api/users/create', '/api/users/create');
      const b = bodyOf(res);
      const ok = check(res, {
        'create user: 201': (r) => r.status === 201,
        'create user: has id and email': () => isId(b?.id) && typeof b?.email === 'string',
      });
      if (ok && isId(b?.id)) s.userId = b.id;
      return ok;
    }
    case 'login':
    case 'logout': {
      if (userId === undefined) return false;
      const res = post(`POST /api/users/${step.type}/:id`, `/api/users/${step.type}/${userId}`);
      return check(res, { [`${step.type}: 2xx`]: (r) => r.status >= 200 && r.status < 300 });
    }
    case 'getUser': {
      if (userId === undefined) return false;
      const res = get('GET /api/users/:id', `/api/users/${userId}`);
      return check(res, { 'get user: same id': (r) => r.status === 200 && bodyOf(r)?.id === userId });
    }
    case 'browse': {
      const res = get('GET /api/products', '/api/products');
      s.productIds = listOf(res).map((p) => (p as Body | null)?.id).filter(isId);
      return check(res, { 'products: non-empty list': (r) => r.status === 200 && s.productIds.length > 0 });
    }
    case 'createOrder': {
      const productId = s.productIds[Math.floor(step.productPick * s.productIds.length)];
      if (userId === undefined || productId === undefined) return false;
      const res = post('POST /api/orders/create', '/api/orders/create', { userId, productId, quantity: step.quantity });
      const b = bodyOf(res);
      const ok = check(res, {
        'create order: 201': (r) => r.status === 201,
        'create order: pending, right user': () => isId(b?.id) && b?.status === 'pending' && b?.user_id === userId,
      });
      if (ok && isId(b?.id)) s.orders[step.order] = b.id;
      return ok;
    }
    case 'validate':
    case 'process':
    case 'cancel': {
      const id = s.orders[step.order];
      if (id === undefined) return false;
      const res = post(`POST /api/orders/${step.type}/:id`, `/api/orders/${step.type}/${id}`);
      return orderCheck(res, step.type, expectedStatus[step.type], id);
    }
    case 'pay': {
      const id = s.orders[step.order];
      if (id === undefined) return false;
      const res = post('POST /api/payments/process/:orderId', `/api/payments/process/${id}`, { status: step.status });
      paymentsSent.add(1, { outcome: step.status });
      const b = bodyOf(res);
      const payment = b?.payment as Body | undefined;
      const order = b?.order as Body | undefined;
      return check(res, {
        'pay: 200': (r) => r.status === 200,
        'pay: outcome as asked': () => payment?.status === step.status && payment?.order_id === id,
        'pay: order settled': () => order?.status === statusAfterPayment(step.status),
      });
    }
    case 'getOrder': {
      const id = s.orders[step.order];
      if (id === undefined) return false;
      const res = get('GET /api/orders/:id', `/api/orders/${id}`);
      return check(res, { 'get order: same id': (r) => r.status === 200 && bodyOf(r)?.id === id });
    }
    case 'stats': {
      const res = get('GET /api/stats', '/api/stats');
      return check(res, { 'stats: has totals': (r) => r.status === 200 && typeof bodyOf(r)?.total_users === 'number' });
    }
  }
}

/** Plays one planned journey; records whether it completed. */
export function journey(): void {
  const state: State = { productIds: [], orders: [] };
  let completed = true;
  for (const step of planJourney(Math.random)) {
    lastResponse = undefined;
    if (!runStep(step, state)) {
      explain(step, lastResponse);
      completed = false;
      break;
    }
  }
  journeysCompleted.add(completed);
}

/** setup(): refuse to load a shop that is not ready (clear message instead of 100 % errors). */
export function requireReady(): void {
  const res = http.get(`${BASE_URL}/api/ready`, { tags: { endpoint: 'GET /api/ready', name: 'GET /api/ready' } });
  if (res.status !== 200) exec.test.abort(`shop at ${BASE_URL} is not ready: /api/ready answered ${res.status} ${String(res.body ?? res.error)}`);
}
