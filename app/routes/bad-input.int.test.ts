// Bad input: each case is a clear 4xx JSON error {error, message, requestId} and changes
// nothing (row counts of every business table before and after).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { startShop, type Shop } from '../../test/shop.ts';
import { request } from '../../test/client.ts';

let shop: Shop;
let userId: number;
let orderId: number;

async function counts(): Promise<Record<string, number>> {
  const conn = await shop.db.rootConnection();
  try {
    const [rows] = await conn.query<RowDataPacket[]>(
      `SELECT (SELECT COUNT(*) FROM smartshop.users) AS users, (SELECT COUNT(*) FROM smartshop.orders) AS orders,
              (SELECT COUNT(*) FROM smartshop.payments) AS payments, (SELECT COUNT(*) FROM smartshop.activity_logs) AS logs,
              (SELECT GROUP_CONCAT(status ORDER BY id) FROM smartshop.orders) AS statuses`,
    );
    return rows[0] as Record<string, number>;
  } finally {
    await conn.end();
  }
}

beforeAll(async () => {
  shop = await startShop();
  userId = (await request<{ id: number }>(shop.baseUrl, 'POST', '/api/users/create')).body.id;
  orderId = (await request<{ id: number }>(shop.baseUrl, 'POST', '/api/orders/create', { body: { userId, productId: 1, quantity: 1 } })).body.id;
});
afterAll(async () => {
  await shop?.stop();
});

interface Case {
  name: string;
  method: string;
  path: () => string;
  body?: () => unknown;
  rawBody?: string;
  status: number;
  error?: string;
}

const cases: Case[] = [
  { name: 'malformed JSON', method: 'POST', path: () => '/api/orders/create', rawBody: '{"userId": 1,', status: 400, error: 'invalid_json' },
  { name: 'malformed JSON on user create', method: 'POST', path: () => '/api/users/create', rawBody: '{name:', status: 400, error: 'invalid_json' },
  { name: 'wrong type', method: 'POST', path: () => '/api/orders/create', body: () => ({ userId: String(userId), productId: 1, quantity: 1 }), status: 400, error: 'validation_error' },
  { name: 'unknown field', method: 'POST', path: () => '/api/orders/create', body: () => ({ userId, productId: 1, quantity: 1, discount: 50 }), status: 400, error: 'validation_error' },
  { name: 'negative quantity', method: 'POST', path: () => '/api/orders/create', body: () => ({ userId, productId: 1, quantity: -2 }), status: 400, error: 'validation_error' },
  { name: 'zero quantity', method: 'POST', path: () => '/api/orders/create', body: () => ({ userId, productId: 1, quantity: 0 }), status: 400 },
  { name: 'unknown user', method: 'POST', path: () => '/api/orders/create', body: () => ({ userId: 987654, productId: 1, quantity: 1 }), status: 404, error: 'not_found' },
  { name: 'unknown product', method: 'POST', path: () => '/api/orders/create', body: () => ({ userId, productId: 987654, quantity: 1 }), status: 404, error: 'not_found' },
  { name: 'unknown order payment', method: 'POST', path: () => '/api/payments/process/987654', body: () => ({ status: 'success' }), status: 404 },
  { name: 'bad payment status', method: 'POST', path: () => `/api/payments/process/${orderId}`, body: () => ({ status: 'maybe' }), status: 400 },
  { name: 'payment of a pending order', method: 'POST', path: () => `/api/payments/process/${orderId}`, body: () => ({ status: 'success' }), status: 409, error: 'illegal_transition' },
  { name: 'bad user email', method: 'POST', path: () => '/api/users/create', body: () => ({ name: 'X', email: 'nope' }), status: 400 },
  { name: 'non-numeric id', method: 'POST', path: () => '/api/orders/validate/abc', status: 400, error: 'invalid_id' },
  { name: 'oversized body', method: 'POST', path: () => '/api/users/create', body: () => ({ name: 'x'.repeat(20_000), email: 'a@example.com' }), status: 413, error: 'payload_too_large' },
  { name: 'unknown route', method: 'GET', path: () => '/api/nothing-here', status: 404, error: 'not_found' },
  { name: 'custom error out of range', method: 'POST', path: () => '/api/errors/custom', body: () => ({ status: 302, message: 'x' }), status: 400 },
  { name: 'custom error message too long', method: 'POST', path: () => '/api/errors/custom', body: () => ({ status: 500, message: 'x'.repeat(201) }), status: 400 },
];

describe('bad input changes nothing', () => {
  for (const c of cases) {
    it(`${c.name} → ${c.status}`, async () => {
      const before = await counts();
      const res = await request(shop.baseUrl, c.method, c.path(), { body: c.body?.(), rawBody: c.rawBody, headers: { 'x-request-id': `bad-${c.status}` } });
      expect(res.status).toBe(c.status);
      expect(res.body).toMatchObject({ requestId: `bad-${c.status}`, message: expect.any(String) as unknown });
      if (c.error !== undefined) expect(res.body).toMatchObject({ error: c.error });
      expect(await counts()).toEqual(before);
    });
  }
});
