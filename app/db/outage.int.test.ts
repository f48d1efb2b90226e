// Database outage mid-test: with mariadbd stopped the app answers 503 + Retry-After (never
// 500, never a crash), readiness says not ready, and after a restart it recovers without
// restarting the app. Also: the app starts while the database is down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
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
  await shop?.stop();
  await mariadb?.destroy();
});

/** Polls until `path` answers `status` (bounded: 60 tries, 250 ms apart). */
async function until(baseUrl: string, method: string, path: string, status: number): Promise<number> {
  let last = 0;
  for (let i = 0; i < 60; i++) {
    last = (await request(baseUrl, method, path)).status;
    if (last === status) return last;
    await sleep(250);
  }
  return last;
}

function metricValue(text: string, prefix: string): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(prefix))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

describe('database outage', () => {
  it('answers 503 with Retry-After while the database is down, then recovers', async () => {
    const user = await request<{ id: number }>(shop.baseUrl, 'POST', '/api/users/create');
    expect(user.status).toBe(201);
    await mariadb.stop();

    const calls: [string, string][] = [
      ['GET', `/api/users/${user.body.id}`],
      ['POST', '/api/users/create'],
      ['POST', `/api/users/login/${user.body.id}`],
      ['POST', '/api/orders/create/1'],
      ['GET', '/api/orders/1'],
      ['GET', '/api/stats'],
      ['GET', '/api/logs'],
      ['GET', '/api/products'],
    ];
    for (const [method, path] of calls) {
      const res = await request(shop.baseUrl, method, path, { headers: { 'x-request-id': 'outage-1' } });
      expect(res.status, `${method} ${path}`).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(res.body).toMatchObject({ error: 'db_unavailable', requestId: 'outage-1' });
    }
    expect((await request(shop.baseUrl, 'GET', '/api/ready')).status).toBe(503);
    expect((await request(shop.baseUrl, 'GET', '/')).body).toMatchObject({ mysql_status: 'disconnected', status: 'running' });
    expect((await request(shop.baseUrl, 'GET', '/api/health')).status).toBe(200);

    const metrics = (await request<string>(shop.baseUrl, 'GET', '/metrics')).body;
    expect(metricValue(metrics, 'smartshop_db_errors_total{code="ECONNREFUSED"}')).toBeGreaterThan(0);
    expect(metricValue(metrics, 'smartshop_db_retries_total')).toBeGreaterThan(0);
    expect(metricValue(metrics, 'http_requests_total{method="GET",route="/api/stats",status_code="503"}')).toBe(1);
    expect(metrics).not.toMatch(/status_code="500"/);

    await mariadb.start();
    expect(await until(shop.baseUrl, 'GET', '/api/ready', 200)).toBe(200);
    expect((await request(shop.baseUrl, 'GET', `/api/users/${user.body.id}`)).status).toBe(200);
    expect((await request(shop.baseUrl, 'POST', '/api/users/create')).status).toBe(201);
  });

  it('starts while the database is down and becomes ready when it comes up', async () => {
    await mariadb.stop();
    const late = await startShop({ mariadb, waitForSchema: false, ui: false });
    try {
      expect((await request(late.baseUrl, 'GET', '/api/health')).status).toBe(200);
      expect((await request(late.baseUrl, 'GET', '/api/ready')).status).toBe(503);
      const res = await request(late.baseUrl, 'POST', '/api/users/create');
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).not.toBeNull();
      await mariadb.start();
      await late.app.whenSchemaReady(30_000);
      expect((await request(late.baseUrl, 'GET', '/api/ready')).status).toBe(200);
      expect((await request(late.baseUrl, 'POST', '/api/users/create')).status).toBe(201);
    } finally {
      await late.stop();
    }
  });
});
