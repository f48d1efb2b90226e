// SIGTERM drain: close() waits for an in-flight request to finish (here one held by a row
// lock in MariaDB), refuses new connections meanwhile, and closes the pool afterwards.
import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { useShop } from '../test/use-shop.ts';
import { request } from '../test/client.ts';

const shop = useShop({ ui: false });

describe('graceful shutdown', () => {
  it('drains the in-flight request, then closes', async () => {
    const user = await request<{ id: number }>(shop.baseUrl, 'POST', '/api/users/create');
    const locker = await shop.db.rootConnection();
    try {
      await locker.beginTransaction();
      await locker.query('SELECT id FROM smartshop.users WHERE id = ? FOR UPDATE', [user.body.id]);
      const inFlight = request(shop.baseUrl, 'POST', `/api/users/login/${user.body.id}`);
      // Bounded wait until the request is really in flight (the gauge says so).
      for (let i = 0; i < 100 && (await shop.app.metrics.httpInFlight.get()).values[0]?.value !== 1; i++) await sleep(20);
      expect((await shop.app.metrics.httpInFlight.get()).values[0]?.value).toBe(1);
      let closed = false;
      const closing = shop.server.close(30_000).then(() => {
        closed = true;
      });
      await sleep(200);
      expect(closed).toBe(false);
      await expect(request(shop.baseUrl, 'GET', '/api/health', { timeoutMs: 2_000 })).rejects.toThrow();
      await locker.commit();
      const res = await inFlight;
      expect(res.status).toBe(200);
      await closing;
      expect(closed).toBe(true);
      await expect(shop.app.ctx.db.pool.query('SELECT 1')).rejects.toThrow(/closed/i);
    } finally {
      await locker.end();
    }
  });
});
