// The default payment outcome is drawn with PAYMENT_SUCCESS_RATIO (0.8). Over 1,000
// payments through the HTTP API the success share must fall within 0.8 ± 4.5 standard
// deviations (sd = sqrt(0.8·0.2/1000) ≈ 0.0126): a false alarm is ~1 in 150,000 runs.
// The 1,000 orders in `processing` are set up directly in SQL to keep the test fast.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { startShop, type Shop } from '../../test/shop.ts';
import { request } from '../../test/client.ts';

const N = 1000;
let shop: Shop;
let firstOrderId: number;

beforeAll(async () => {
  shop = await startShop();
  const conn = await shop.db.rootConnection();
  try {
    await conn.query("INSERT INTO smartshop.users (name, email) VALUES ('Payer', 'payer@example.com')");
    const values = Array.from({ length: N }, () => "(LAST_INSERT_ID(), 1, 1, 89.99, 'processing')");
    await conn.query(`INSERT INTO smartshop.orders (user_id, product_id, quantity, amount, status) VALUES ${values.join(',')}`);
    const [rows] = await conn.query<RowDataPacket[]>("SELECT MIN(id) AS first FROM smartshop.orders WHERE status = 'processing'");
    firstOrderId = Number(rows[0]?.first);
  } finally {
    await conn.end();
  }
});
afterAll(async () => {
  await shop?.stop();
});

describe('default payment outcome', () => {
  it('succeeds about 80% of the time over 1,000 payments', async () => {
    const outcomes: string[] = [];
    const ids = Array.from({ length: N }, (_, i) => firstOrderId + i);
    for (let i = 0; i < ids.length; i += 20) {
      const batch = ids.slice(i, i + 20).map((id) => request<{ payment: { status: string } }>(shop.baseUrl, 'POST', `/api/payments/process/${id}`));
      for (const res of await Promise.all(batch)) {
        expect(res.status).toBe(200);
        outcomes.push(res.body.payment.status);
      }
    }
    const share = outcomes.filter((o) => o === 'success').length / N;
    const sd = Math.sqrt((0.8 * 0.2) / N);
    expect(share).toBeGreaterThan(0.8 - 4.5 * sd);
    expect(share).toBeLessThan(0.8 + 4.5 * sd);
    const stats = await request<{ total_success_payments: number; total_failed_payments: number }>(shop.baseUrl, 'GET', '/api/stats');
    expect(stats.body.total_success_payments).toBe(Math.round(share * N));
    expect(stats.body.total_success_payments + stats.body.total_failed_payments).toBe(N);
  });
});
