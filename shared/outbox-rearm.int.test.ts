// The outbox re-arm (outbox-rearm.ts; a restore runs it, and `smartshop queue republish`) on a
// real MariaDB with the shop's schema: of two paid orders whose events were published, the
// one whose effect the data holds stays published; the one whose shipment a restore took
// back is put back in the outbox; an order no longer paid is left alone.
import { randomUUID } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type Shop } from '../test/shop.ts';
import { payOneOrder } from '../test/client.ts';
import { FULFILMENT_CONSUMER } from './queue-names.ts';
import { REARM_OUTBOX_SQL } from './outbox-rearm.ts';

let shop: Shop;

beforeAll(async () => {
  shop = await startShop({ ui: false });
});
afterAll(async () => {
  await shop?.stop();
});

const paidOrder = (): Promise<number> => payOneOrder(shop.baseUrl);

const db = () => shop.app.ctx.db;

/** The outbox event of an order's payment: its id, and whether it is marked published. */
async function eventOf(orderId: number): Promise<{ id: string; published: boolean }> {
  const rows = await db().rows<RowDataPacket & { id: string; published: number }>('test',
    "SELECT id, published_at IS NOT NULL AS published FROM outbox WHERE JSON_VALUE(payload, '$.orderId') = ?", [orderId]);
  expect(rows).toHaveLength(1);
  return { id: String(rows[0]?.id), published: Number(rows[0]?.published) === 1 };
}

describe('a restore re-arms the outbox for what it took back', () => {
  it('an event marked published with no effect in the data is published again; one with its effect, or whose order is no longer paid, stays as it is', async () => {
    const kept = await paidOrder();
    const takenBack = await paidOrder();
    const shippedLongAgo = await paidOrder();
    const keptEvent = await eventOf(kept);
    const takenBackEvent = await eventOf(takenBack);
    const oldEvent = await eventOf(shippedLongAgo);
    // the relay published them all; a worker applied the first (its record commits with the
    // shipment); the second's shipment came after the restore point, so the data lacks it;
    // the third is fulfilled, and its record gone (as a retention purge would leave it)
    await db().exec('test', 'UPDATE outbox SET published_at = NOW(3) WHERE id IN (?, ?, ?)', [keptEvent.id, takenBackEvent.id, oldEvent.id], { retry: 'safe' });
    await db().exec('test', "UPDATE orders SET status = 'fulfilled' WHERE id = ?", [shippedLongAgo], { retry: 'safe' });
    await db().exec('test', 'INSERT INTO processed_messages (consumer, message_id) VALUES (?, ?)', [FULFILMENT_CONSUMER, keptEvent.id], { retry: 'safe' });
    // another consumer's record is not this pipeline's effect
    await db().exec('test', 'INSERT INTO processed_messages (consumer, message_id) VALUES (?, ?)', [`other-${randomUUID().slice(0, 8)}`, takenBackEvent.id], { retry: 'safe' });

    const changed = await db().exec('test', REARM_OUTBOX_SQL, [], { retry: 'safe' });
    expect(changed.affectedRows).toBeGreaterThanOrEqual(1);
    expect(await eventOf(kept)).toEqual({ id: keptEvent.id, published: true });
    expect(await eventOf(takenBack)).toEqual({ id: takenBackEvent.id, published: false });
    // an order no longer paid (fulfilled, cancelled, refunded) is never published again
    expect(await eventOf(shippedLongAgo)).toEqual({ id: oldEvent.id, published: true });
    // run again, it changes nothing more: the event waits for the relay
    expect((await db().exec('test', REARM_OUTBOX_SQL, [], { retry: 'safe' })).affectedRows).toBe(0);
  });
});
