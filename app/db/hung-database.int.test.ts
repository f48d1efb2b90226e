// A database that accepts connections but answers nothing (a frozen Galera node, a
// partition seen through HAProxy) must give clients a prompt 503, never a hang: statements
// and pool waits are bounded in app/db/database.ts. The client here gives up after 30 s;
// a request still unanswered by then fails the test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type Shop } from '../../test/shop.ts';
import { request } from '../../test/client.ts';

let shop: Shop;

// the shop's own throw-away MariaDB (shop.db), removed with it
beforeAll(async () => {
  shop = await startShop();
});
afterAll(async () => {
  shop?.db.resume();
  await shop?.stop();
});

describe('hung database', () => {
  it('answers 503 with Retry-After while the server is frozen, then recovers', async () => {
    const user = await request<{ id: number }>(shop.baseUrl, 'POST', '/api/users/create', { body: { name: 'Before Freeze', email: 'before.freeze@example.com' } });
    expect(user.status).toBe(201);

    shop.db.pause();
    try {
      // Several at once, more than the pool holds, so waiting for a connection is exercised too.
      const calls = [
        ...Array.from({ length: 6 }, () => request(shop.baseUrl, 'GET', '/api/stats', { timeoutMs: 30_000 })),
        ...Array.from({ length: 6 }, (_, i) =>
          request(shop.baseUrl, 'POST', '/api/users/create', { body: { name: `Frozen ${i}`, email: `frozen.${i}@example.com` }, timeoutMs: 30_000 }),
        ),
        request(shop.baseUrl, 'GET', `/api/users/${user.body.id}`, { timeoutMs: 30_000 }),
      ];
      const answers = await Promise.all(calls);
      for (const a of answers) {
        expect(a.status).toBe(503);
        expect(a.headers.get('retry-after')).not.toBeNull();
      }
    } finally {
      shop.db.resume();
    }

    let ready = 0;
    for (let i = 0; i < 60 && ready !== 200; i++) {
      ready = (await request(shop.baseUrl, 'GET', '/api/ready')).status;
      if (ready !== 200) await new Promise((r) => setTimeout(r, 500));
    }
    expect(ready).toBe(200);
    expect((await request(shop.baseUrl, 'GET', `/api/users/${user.body.id}`)).status).toBe(200);
  });
});
