// The worker's transaction against a real MariaDB and the real shop, without a broker: a paid
// order waits (GET /api/fulfilment counts it), fulfil() ships it once (a redelivery of the
// same message is a duplicate, applied never), and the shop shows the shipment with its lag.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type Shop } from '../test/shop.ts';
import { request } from '../test/client.ts';
import { fulfil, NotPaidError } from './fulfil.ts';

interface Overview {
  awaiting_shipment: number;
  awaiting_capped: boolean;
  recent_shipments: { order_id: number; tracking_number: string; worker: string; lag_ms: number }[];
}

let shop: Shop;

beforeAll(async () => {
  shop = await startShop({ ui: false });
});
afterAll(async () => {
  await shop?.stop();
});

async function order(pay: 'success' | 'failed' | undefined): Promise<number> {
  const user = await request<{ id: number }>(shop.baseUrl, 'POST', '/api/users/create');
  const o = await request<{ id: number }>(shop.baseUrl, 'POST', '/api/orders/create', { body: { userId: user.body.id, productId: 1, quantity: 1 } });
  await request(shop.baseUrl, 'POST', `/api/orders/validate/${o.body.id}`);
  await request(shop.baseUrl, 'POST', `/api/orders/process/${o.body.id}`);
  if (pay) expect((await request(shop.baseUrl, 'POST', `/api/payments/process/${o.body.id}`, { body: { status: pay } })).status).toBeLessThan(500);
  return o.body.id;
}

const overview = async (): Promise<Overview> => (await request<Overview>(shop.baseUrl, 'GET', '/api/fulfilment')).body;

describe('fulfilment without a broker: the shop counts what waits, a worker ships it once', () => {
  it('a paid order waits, is shipped once by fulfil(), and GET /api/fulfilment and /api/orders/:id show it', async () => {
    const before = await overview();
    const paid = await order('success');
    await order('failed');
    await order(undefined);
    expect((await overview()).awaiting_shipment).toBe(before.awaiting_shipment + 1);

    const messageId = randomUUID();
    const event = { orderId: paid, amount: '89.99', paidAt: new Date(Date.now() - 250).toISOString() };
    const first = await fulfil(shop.app.ctx.db, messageId, event, 'test-worker');
    expect(first.kind).toBe('applied');
    expect(first.kind === 'applied' ? first.trackingNumber : '').toMatch(/^SS[A-Z0-9]{10}$/);
    // a redelivery (the broker's at-least-once) is recognised and applies nothing
    expect(await fulfil(shop.app.ctx.db, messageId, event, 'test-worker')).toEqual({ kind: 'duplicate' });

    const after = await overview();
    expect(after.awaiting_shipment).toBe(before.awaiting_shipment);
    expect(after.awaiting_capped).toBe(false);
    expect(after.recent_shipments[0]).toMatchObject({ order_id: paid, worker: 'test-worker', tracking_number: first.kind === 'applied' ? first.trackingNumber : '' });
    expect(after.recent_shipments[0]?.lag_ms).toBeGreaterThanOrEqual(0);
    expect(after.recent_shipments.filter((s) => s.order_id === paid)).toHaveLength(1);

    const read = await request<{ status: string; fulfilment: { state: string; shipments: number } }>(shop.baseUrl, 'GET', `/api/orders/${paid}`);
    expect(read.body.status).toBe('fulfilled');
    expect(read.body.fulfilment).toMatchObject({ state: 'fulfilled', shipments: 1 });
  });

  it('an order that was never paid is not shipped: the worker refuses it (dead-lettered after its limit)', async () => {
    const unpaid = await order(undefined);
    await expect(fulfil(shop.app.ctx.db, randomUUID(), { orderId: unpaid, amount: '1.00', paidAt: new Date().toISOString() }, 'test-worker')).rejects.toBeInstanceOf(NotPaidError);
    expect((await overview()).recent_shipments.some((s) => s.order_id === unpaid)).toBe(false);
  });
});
