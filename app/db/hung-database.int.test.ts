// A database that accepts connections but answers nothing (a frozen Galera node, a
// partition seen through HAProxy) must give clients a prompt 503, never a hang: statements
// and pool waits are bounded in app/db/database.ts. The client here gives up after 30 s;
// a request still unanswered by then fails the test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type Shop } from '../../test/shop.ts';
import { startMariaDb, type MariaDbServer } from '../../lab/throwaway-mariadb.ts';
import { request } from '../../test/client.ts';

let mariadb: MariaDbServer;
let shop: Shop;

beforeAll(async () => {
  mariadb = await startMariaDb();
  shop = await startShop({ mariadb });
});
afterAll(async () => {
  mariadb?.resume();
  await shop?.stop();
  await mariadb?.destroy();
});

describe('hung database', () => {
  it('answers 503 with Retry-After while the server is frozen, then recovers', async () => {
    const user = await request<{ id: number }>(shop.baseUrl, 'POST', '/api/users/create', { body: { name: 'Before Freeze', email: 'before.freeze@example.com' } });
    expect(user.status).toBe(201);

    mariadb.pause();
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
      mariadb.resume();
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
