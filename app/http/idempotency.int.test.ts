// A write conflict that outlasts the shop's own retries is a 409 that asks the client to
// retry: it must not be stored under the Idempotency-Key, or the retry would be answered
// with the old 409 forever. The conflict is real: the test holds the order's row lock from
// another session while MariaDB runs with innodb_lock_wait_timeout=1 (errno 1205).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { startMariaDb, type MariaDbServer } from '../../test/mariadb.ts';
import { startShop, type Shop } from '../../test/shop.ts';
import { request } from '../../test/client.ts';

let db: MariaDbServer;
let shop: Shop;
let holder: Connection;

beforeAll(async () => {
  db = await startMariaDb({ extraArgs: ['--innodb-lock-wait-timeout=1'] });
  shop = await startShop({ mariadb: db, ui: false });
  holder = await db.rootConnection();
}, 120_000);

afterAll(async () => {
  await holder?.end().catch(() => undefined);
  await shop?.stop();
  await db?.destroy();
});

async function processingOrder(): Promise<number> {
  await holder.query("INSERT INTO smartshop.users (name, email) VALUES ('Locked', CONCAT('locked-', UUID(), '@example.com'))");
  await holder.query("INSERT INTO smartshop.orders (user_id, product_id, quantity, amount, status) VALUES (LAST_INSERT_ID(), 1, 1, 89.99, 'processing')");
  const [rows] = await holder.query<RowDataPacket[]>('SELECT LAST_INSERT_ID() AS id');
  return Number(rows[0]?.id);
}

describe('Idempotency-Key and transient conflicts', () => {
  it('a 409 conflict with Retry-After releases the key; the retry pays the order once', async () => {
    const orderId = await processingOrder();
    const headers = { 'Idempotency-Key': `pay-locked-${orderId}` };
    const path = `/api/payments/process/${orderId}`;

    await holder.query('START TRANSACTION');
    await holder.query('SELECT id FROM smartshop.orders WHERE id = ? FOR UPDATE', [orderId]);
    const blocked = await request<{ error: string }>(shop.baseUrl, 'POST', path, { body: { status: 'success' }, headers, timeoutMs: 30_000 });
    await holder.query('ROLLBACK');

    expect(blocked.status).toBe(409);
    expect(blocked.body.error).toBe('conflict');
    expect(blocked.headers.get('retry-after')).toBe('1');

    const retried = await request<{ payment: { status: string } }>(shop.baseUrl, 'POST', path, { body: { status: 'success' }, headers });
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(retried.body.payment.status).toBe('success');

    const replayed = await request(shop.baseUrl, 'POST', path, { body: { status: 'success' }, headers });
    expect(replayed.status).toBe(200);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    const [payments] = await holder.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM smartshop.payments WHERE order_id = ?', [orderId]);
    expect(Number(payments[0]?.n)).toBe(1);
  }, 60_000);

  it('a 409 for an illegal transition is final: it is stored and replayed', async () => {
    const orderId = await processingOrder();
    await holder.query("UPDATE smartshop.orders SET status = 'paid' WHERE id = ?", [orderId]);
    const headers = { 'Idempotency-Key': `cancel-paid-${orderId}` };
    const first = await request(shop.baseUrl, 'POST', `/api/orders/cancel/${orderId}`, { headers });
    const second = await request(shop.baseUrl, 'POST', `/api/orders/cancel/${orderId}`, { headers });
    expect(first.status).toBe(409);
    expect(first.headers.get('retry-after')).toBeNull();
    expect(second.status).toBe(409);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
  });
});
