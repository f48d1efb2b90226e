// Hostile requests against the real shop: each one a JSON 4xx {error, message, requestId},
// nothing written (row counts of every business table before and after), the server still
// answering afterwards, and no client-chosen letter case in the metrics' route labels.
import { connect } from 'node:net';
import { gzipSync, deflateSync, brotliCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { startShop, type Shop } from '../../test/shop.ts';
import { request } from '../../test/client.ts';

let shop: Shop;
let orderId: number;

async function counts(): Promise<Record<string, unknown>> {
  const conn = await shop.db.rootConnection();
  try {
    const [rows] = await conn.query<RowDataPacket[]>(
      `SELECT (SELECT COUNT(*) FROM smartshop.users) AS users, (SELECT COUNT(*) FROM smartshop.orders) AS orders,
              (SELECT COUNT(*) FROM smartshop.payments) AS payments, (SELECT COUNT(*) FROM smartshop.activity_logs) AS logs,
              (SELECT COUNT(*) FROM smartshop.idempotency_records) AS keys_, (SELECT GROUP_CONCAT(status ORDER BY id) FROM smartshop.orders) AS statuses`,
    );
    return rows[0] as Record<string, unknown>;
  } finally {
    await conn.end();
  }
}

beforeAll(async () => {
  shop = await startShop({ ui: false });
  const userId = (await request<{ id: number }>(shop.baseUrl, 'POST', '/api/users/create')).body.id;
  orderId = (await request<{ id: number }>(shop.baseUrl, 'POST', '/api/orders/create', { body: { userId, productId: 1, quantity: 1 } })).body.id;
  for (const step of ['validate', 'process']) await request(shop.baseUrl, 'POST', `/api/orders/${step}/${orderId}`);
});
afterAll(async () => {
  await shop?.stop();
});

const json = (v: unknown): string => JSON.stringify(v);
const payment = (): string => `/api/payments/process/${orderId}`;

interface Hostile {
  name: string;
  method: string;
  path: () => string;
  raw?: () => string | Uint8Array;
  headers?: Record<string, string>;
  status: number;
  error?: string;
}

const cases: Hostile[] = [
  { name: 'malformed percent-encoding in the path', method: 'GET', path: () => '/api/orders/%ZZ', status: 400, error: 'invalid_path' },
  { name: 'a JSON body sent form-encoded', method: 'POST', path: payment, raw: () => 'status=failed', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, error: 'unsupported_media_type' },
  { name: 'a JSON body sent as text/plain (no CORS preflight)', method: 'POST', path: payment, raw: () => json({ status: 'failed' }), headers: { 'content-type': 'text/plain' }, status: 415, error: 'unsupported_media_type' },
  { name: 'a body without Content-Type', method: 'POST', path: payment, raw: () => new TextEncoder().encode(json({ status: 'failed' })), headers: { 'content-type': '' }, status: 415 },
  { name: 'gzip body', method: 'POST', path: payment, raw: () => gzipSync(json({ status: 'failed' })), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, status: 415, error: 'unsupported_content_encoding' },
  { name: 'deflate body', method: 'POST', path: payment, raw: () => deflateSync(json({ status: 'failed' })), headers: { 'content-type': 'application/json', 'content-encoding': 'deflate' }, status: 415, error: 'unsupported_content_encoding' },
  { name: 'brotli body', method: 'POST', path: payment, raw: () => brotliCompressSync(json({ status: 'failed' })), headers: { 'content-type': 'application/json', 'content-encoding': 'br' }, status: 415, error: 'unsupported_content_encoding' },
  { name: 'invalid UTF-8 in a JSON string', method: 'POST', path: () => '/api/users/create', raw: () => Buffer.concat([Buffer.from('{"name":"A'), Buffer.from([0xc3, 0x28]), Buffer.from('","email":"a@example.com"}')]), headers: { 'content-type': 'application/json' }, status: 400, error: 'invalid_utf8' },
  { name: 'an unsupported charset', method: 'POST', path: payment, raw: () => json({ status: 'failed' }), headers: { 'content-type': 'application/json; charset=koi8-r' }, status: 415 },
  { name: 'deep nesting', method: 'POST', path: () => '/api/orders/create', raw: () => `${'['.repeat(4000)}${']'.repeat(4000)}`, headers: { 'content-type': 'application/json' }, status: 400 },
  { name: 'a huge number', method: 'POST', path: () => '/api/orders/create', raw: () => '{"userId":1e308,"productId":1,"quantity":1}', headers: { 'content-type': 'application/json' }, status: 400, error: 'validation_error' },
  { name: 'an id beyond the safe integers', method: 'POST', path: () => '/api/orders/validate/90071992547409930', status: 400, error: 'invalid_id' },
  { name: 'prototype keys', method: 'POST', path: () => '/api/orders/create', raw: () => '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}},"userId":1,"productId":1,"quantity":1}', headers: { 'content-type': 'application/json' }, status: 400, error: 'validation_error' },
  { name: 'a method the route does not have', method: 'DELETE', path: () => `/api/orders/${orderId}`, status: 404, error: 'not_found' },
  { name: 'PUT on a write route', method: 'PUT', path: payment, raw: () => json({ status: 'failed' }), headers: { 'content-type': 'application/json' }, status: 404, error: 'not_found' },
];

describe('hostile requests change nothing', () => {
  for (const c of cases) {
    it(`${c.name} → ${c.status}`, async () => {
      const before = await counts();
      const headers: Record<string, string> = { 'x-request-id': 'hostile', 'idempotency-key': `hostile-${c.name.replace(/\W+/g, '-')}`, ...c.headers };
      const res = await request(shop.baseUrl, c.method, c.path(), { rawBody: c.raw?.(), headers });
      expect(res.status).toBe(c.status);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.body).toMatchObject({ requestId: 'hostile', message: expect.any(String) as unknown });
      if (c.error !== undefined) expect(res.body).toMatchObject({ error: c.error });
      expect(await counts()).toEqual(before);
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    });
  }

  it('still answers afterwards, and the order is still processing (no payment was drawn)', async () => {
    expect((await request(shop.baseUrl, 'GET', '/api/health')).status).toBe(200);
    expect((await request<{ status: string }>(shop.baseUrl, 'GET', `/api/orders/${orderId}`)).body.status).toBe('processing');
  });
});

describe('route labels', () => {
  it('are lower case whatever the client sends, so /API/errors/500 counts as /api/errors/500', async () => {
    expect((await request(shop.baseUrl, 'GET', '/API/Errors/500')).status).toBe(500);
    expect((await request(shop.baseUrl, 'GET', '/Api/Stats')).status).toBe(200);
    const metrics = await (await fetch(`${shop.baseUrl}/metrics`)).text();
    const routes = [...metrics.matchAll(/route="([^"]*)"/g)].map((m) => m[1] ?? '');
    expect(routes).toContain('/api/errors/500');
    expect(routes).toContain('/api/stats');
    // templates keep their parameter names (`:orderId`); only the client's letters are folded
    expect(routes.filter((r) => /[A-Z]/.test(r.replace(/:[A-Za-z]+/g, '')))).toEqual([]);
  });
});

describe('slow clients', () => {
  it('a body trickled byte by byte is cut off after the request timeout (15 s), not after minutes', async () => {
    const { port } = new URL(shop.baseUrl);
    const started = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1');
      let text = '';
      let sent = 0;
      const drip = setInterval(() => {
        if (sent < 100 && !socket.destroyed) socket.write('x');
        sent++;
      }, 1_000);
      socket.on('connect', () => socket.write('POST /api/users/create HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n'));
      socket.on('data', (d) => (text += d.toString()));
      socket.on('close', () => {
        clearInterval(drip);
        resolve(text);
      });
      socket.on('error', reject);
      setTimeout(() => socket.destroy(), 40_000); // bound: the test fails below if it took this long
    });
    const seconds = (Date.now() - started) / 1000;
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect(seconds).toBeLessThan(30); // the limit is 15 s; Node's default would be 300 s
  }, 60_000);
});
