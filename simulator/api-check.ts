// "Test the API": every endpoint once, in an order where each call has what it needs
// (a user before its orders...), with the status and latency seen and a pass/fail.
import { setTimeout as sleep } from 'node:timers/promises';
import { describeOutcome, type HttpClient, type HttpOutcome } from '../shared/http-client.ts';
import { isRateLimited, retryAfterMs } from '../shared/rate-limit.ts';

export interface CheckResult {
  method: string;
  path: string;
  /** the statuses that pass, e.g. "2xx" or "404" */
  expected: string;
  /** HTTP status, "timeout", an error code, or "skipped" */
  got: string;
  latencyMs: number | null;
  pass: boolean;
}

type Expect = '2xx' | number;

export async function checkApi(http: HttpClient): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const call = async (method: string, path: string, expect: Expect, body?: unknown): Promise<HttpOutcome> => {
    const headers = method === 'POST' ? { 'idempotency-key': `api-check-${Date.now()}-${results.length}` } : undefined;
    let res = await http.request(method, path, { body, headers });
    // Behind the edge its 429 says when to come back: wait that long (at most 10 s) and send the
    // same request, same key, once more; what it answers then is what the check reports.
    if (isRateLimited(res)) {
      await sleep(Math.min(retryAfterMs(res), 10_000));
      res = await http.request(method, path, { body, headers });
    }
    const status = res.kind === 'response' ? res.status : undefined;
    const pass = status !== undefined && (expect === '2xx' ? status >= 200 && status < 300 : status === expect);
    results.push({ method, path, expected: String(expect), got: res.kind === 'response' ? String(res.status) : describeOutcome(res), latencyMs: res.durationMs, pass });
    return res;
  };
  const skip = (method: string, path: string, expect: Expect): void => {
    results.push({ method, path, expected: String(expect), got: 'skipped', latencyMs: null, pass: false });
  };

  await call('GET', '/', '2xx');
  await call('GET', '/api/health', '2xx');
  await call('GET', '/api/ready', '2xx');
  const products = await call('GET', '/api/products', '2xx');
  const productId = idOf(firstOf(unwrap(bodyOf(products), 'products'))) ?? 1;
  const user = await call('POST', '/api/users/create', '2xx', { name: 'API Check', email: 'api.check@example.com' });
  const userId = idOf(unwrap(bodyOf(user), 'user'));
  let orderId: number | string | undefined;
  let secondOrderId: number | string | undefined;
  if (userId === undefined) {
    for (const p of ['GET /api/users/:id', 'POST /api/users/login/:id', 'POST /api/orders/create', 'GET /api/orders/:id', 'POST /api/orders/validate/:id', 'POST /api/orders/process/:id', 'POST /api/payments/process/:orderId', 'POST /api/orders/create/:userId', 'POST /api/orders/cancel/:id', 'POST /api/users/logout/:id']) {
      const [method = 'GET', path = p] = p.split(' ');
      skip(method, path, '2xx');
    }
  } else {
    await call('GET', `/api/users/${userId}`, '2xx');
    await call('POST', `/api/users/login/${userId}`, '2xx');
    orderId = idOf(unwrap(bodyOf(await call('POST', '/api/orders/create', '2xx', { userId, productId, quantity: 1 })), 'order'));
    if (orderId === undefined) {
      for (const p of ['/api/orders/:id', '/api/orders/validate/:id', '/api/orders/process/:id', '/api/payments/process/:orderId']) skip(p.startsWith('/api/orders/:') ? 'GET' : 'POST', p, '2xx');
    } else {
      await call('GET', `/api/orders/${orderId}`, '2xx');
      await call('POST', `/api/orders/validate/${orderId}`, '2xx');
      await call('POST', `/api/orders/process/${orderId}`, '2xx');
      await call('POST', `/api/payments/process/${orderId}`, '2xx', { status: 'success' });
    }
    secondOrderId = idOf(unwrap(bodyOf(await call('POST', `/api/orders/create/${userId}`, '2xx')), 'order'));
    if (secondOrderId === undefined) skip('POST', '/api/orders/cancel/:id', '2xx');
    else await call('POST', `/api/orders/cancel/${secondOrderId}`, '2xx');
    await call('POST', `/api/users/logout/${userId}`, '2xx');
  }
  await call('GET', '/api/stats', '2xx');
  await call('GET', '/api/logs?limit=5', '2xx');
  await call('GET', '/api/errors/404', 404);
  await call('GET', '/api/errors/500', 500);
  await call('POST', '/api/errors/custom', 418, { status: 418, message: 'api check' });
  await call('GET', '/metrics', '2xx');
  return results;
}

export function formatCheck(results: CheckResult[]): string {
  const width = Math.max(...results.map((r) => `${r.method} ${r.path}`.length));
  const lines = [`  ${'endpoint'.padEnd(width)}  ${'expected'.padEnd(8)}  ${'got'.padEnd(12)}  ${'latency'.padStart(9)}  result`];
  for (const r of results) {
    const latency = r.latencyMs === null ? '–' : `${r.latencyMs.toFixed(1)}ms`;
    lines.push(`  ${`${r.method} ${r.path}`.padEnd(width)}  ${r.expected.padEnd(8)}  ${r.got.padEnd(12)}  ${latency.padStart(9)}  ${r.pass ? 'PASS' : 'FAIL'}`);
  }
  const passed = results.filter((r) => r.pass).length;
  lines.push('', `  ${passed}/${results.length} passed`);
  return lines.join('\n');
}

function bodyOf(res: HttpOutcome): unknown {
  return res.kind === 'response' && res.status >= 200 && res.status < 300 ? res.body : undefined;
}

function unwrap(body: unknown, key: string): unknown {
  return body !== null && typeof body === 'object' && !Array.isArray(body) && key in body ? (body as Record<string, unknown>)[key] : body;
}

function firstOf(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : undefined;
}

/** the id as the shop sent it (a number stays a number in the next request's body) */
function idOf(value: unknown): number | string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const id = (value as Record<string, unknown>).id;
  return typeof id === 'number' || (typeof id === 'string' && id !== '') ? id : undefined;
}
