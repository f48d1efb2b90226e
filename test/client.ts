// A tiny JSON client for tests: one call, status + parsed body + headers, bounded in time.
import { request as httpRequest } from 'node:http';

export interface JsonResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export async function request<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string | Uint8Array; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | Uint8Array | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if ((body !== undefined || (method !== 'GET' && method !== 'HEAD')) && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 15_000) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/**
 * One order created and paid through the shop's API (a new user, product 1): its id. Throws
 * when the payment is not answered 200, so a test never goes on with an unpaid order.
 */
export async function payOneOrder(baseUrl: string): Promise<number> {
  const user = await request<{ id: number }>(baseUrl, 'POST', '/api/users/create');
  const o = await request<{ id: number }>(baseUrl, 'POST', '/api/orders/create', { body: { userId: user.body.id, productId: 1, quantity: 1 } });
  await request(baseUrl, 'POST', `/api/orders/validate/${o.body.id}`);
  await request(baseUrl, 'POST', `/api/orders/process/${o.body.id}`);
  const paid = await request(baseUrl, 'POST', `/api/payments/process/${o.body.id}`, { body: { status: 'success' } });
  if (paid.status !== 200) throw new Error(`paying order ${o.body.id}: HTTP ${paid.status} ${JSON.stringify(paid.body)}`);
  return o.body.id;
}

export interface RawResponse { status: number; headers: Record<string, string | string[] | undefined>; body: unknown }

/** node:http, not fetch: fetch will not send a Host header of our choosing (the site guard's tests). */
export function rawRequest(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path: url.pathname, headers, timeout: 10_000 }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // a page
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.end(body);
  });
}
