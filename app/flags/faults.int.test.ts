// The fault flags end to end in one shop (in-process, real MariaDB): each flag written to
// the flags file changes what the shop does within 2 s, shows in its metrics, and `reset`
// puts everything back; a broken file is refused and the previous flags stay. (The console
// writes the file over HTTP: console/console.int.test.ts.)
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFlaggedShop, type Shop } from '../../test/shop.ts';
import { request } from '../../test/client.ts';
import { parseSamples, total } from '../../shared/prom-text.ts';
import { resetFlags, setFlag } from '../../shared/feature-flags/flag-file.ts';

let file: string;
let shop: Shop;

async function metric(name: string, where: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${shop.baseUrl}/metrics`);
  return total(parseSamples(await res.text()), name, where);
}

/** Polls `check` for up to 2 s (the acceptance bound), returning its last answer. */
async function within2s<T>(check: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const until = Date.now() + 2_000;
  let v = await check();
  while (!ok(v) && Date.now() < until) {
    await sleep(100);
    v = await check();
  }
  return v;
}

async function processingOrder(): Promise<number> {
  const user = await request<{ id: number }>(shop.baseUrl, 'POST', '/api/users/create', { body: { name: 'Flag Tester', email: `flags-${Date.now()}-${Math.random()}@example.com` } });
  const order = await request<{ id: number }>(shop.baseUrl, 'POST', '/api/orders/create', { body: { userId: user.body.id, productId: 1, quantity: 1 } });
  await request(shop.baseUrl, 'POST', `/api/orders/validate/${order.body.id}`);
  await request(shop.baseUrl, 'POST', `/api/orders/process/${order.body.id}`);
  return order.body.id;
}

beforeAll(async () => {
  ({ shop, file } = await startFlaggedShop());
});
afterAll(async () => {
  await shop?.stop();
});

describe('fault flags', () => {
  it('paymentFailure fails payments whatever the client asked, and shows as a metric', async () => {
    await setFlag(file, 'paymentFailure', 1);
    expect(await within2s(() => metric('smartshop_feature_flag_value', { flag: 'paymentFailure' }), (v) => v === 1)).toBe(1);
    const paid = await request<{ payment: { status: string } }>(shop.baseUrl, 'POST', `/api/payments/process/${await processingOrder()}`, { body: { status: 'success' } });
    expect(paid.status).toBe(200);
    expect(paid.body.payment.status).toBe('failed');
    await setFlag(file, 'paymentFailure', 0);
    await within2s(() => metric('smartshop_feature_flag_value', { flag: 'paymentFailure' }), (v) => v === 0);
    const again = await request<{ payment: { status: string } }>(shop.baseUrl, 'POST', `/api/payments/process/${await processingOrder()}`, { body: { status: 'success' } });
    expect(again.body.payment.status).toBe('success');
  });

  it('productCatalogFailure answers 500 on products and order creation, with a JSON error', async () => {
    const before = await request(shop.baseUrl, 'GET', '/api/products');
    expect(before.status).toBe(200);
    await setFlag(file, 'productCatalogFailure', true);
    const failing = await within2s(() => request<{ error: string }>(shop.baseUrl, 'GET', '/api/products'), (r) => r.status === 500);
    expect(failing.status).toBe(500);
    expect(failing.body.error).toBe('product_catalog_failure');
    const create = await request<{ error: string }>(shop.baseUrl, 'POST', '/api/orders/create', { body: { userId: 1, productId: 1, quantity: 1 } });
    expect(create.status).toBe(500);
    expect(await metric('smartshop_injected_errors_total', { kind: 'productCatalogFailure' })).toBeGreaterThanOrEqual(2);
    await resetFlags(file, ['productCatalogFailure']);
    expect((await within2s(() => request(shop.baseUrl, 'GET', '/api/products'), (r) => r.status === 200)).status).toBe(200);
  });

  it('slowResponses delays the routes it names, never the probes; statsSlowQuery sleeps in SQL', async () => {
    await setFlag(file, 'slowResponses', { '/api/products': 400 });
    await within2s(() => metric('smartshop_feature_flag_value', { flag: 'slowResponses' }), (v) => v === 400);
    let t0 = performance.now();
    await request(shop.baseUrl, 'GET', '/api/products');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(390);
    t0 = performance.now();
    await request(shop.baseUrl, 'GET', '/api/health');
    const health = performance.now() - t0;
    expect(health).toBeLessThan(390);

    await setFlag(file, 'statsSlowQuery', 600);
    await within2s(() => metric('smartshop_feature_flag_value', { flag: 'statsSlowQuery' }), (v) => v === 600);
    const conn = await shop.db.rootConnection();
    try {
      const stats = request(shop.baseUrl, 'GET', '/api/stats');
      await sleep(250);
      const [rows] = await conn.query("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE '%SLEEP(%' AND INFO NOT LIKE '%PROCESSLIST%'");
      expect(Number((rows as { n: number }[])[0]?.n)).toBe(1);
      expect((await stats).status).toBe(200);
    } finally {
      await conn.end();
    }
    await resetFlags(file);
  });

  it('dbPoolStarvation holds pool connections; highCpu burns CPU; memoryLeak keeps memory; reset releases all', async () => {
    await setFlag(file, 'dbPoolStarvation', 4);
    expect(await within2s(() => metric('smartshop_fault_held_connections'), (v) => v === 4)).toBe(4);
    expect(await metric('smartshop_db_pool_connections', { state: 'in_use' })).toBeGreaterThanOrEqual(4);

    await setFlag(file, 'highCpu', 0.5);
    await within2s(() => metric('smartshop_feature_flag_value', { flag: 'highCpu' }), (v) => v === 0.5);
    // counted by the loop itself: a loaded machine delays the ticks, not what each one burns
    const busy0 = await metric('smartshop_fault_cpu_busy_seconds_total');
    expect(await within2s(async () => (await metric('smartshop_fault_cpu_busy_seconds_total')) - busy0, (v) => v >= 0.2)).toBeGreaterThanOrEqual(0.2);

    await setFlag(file, 'memoryLeak', 120);
    expect(await within2s(() => metric('smartshop_fault_leaked_bytes'), (v) => v > 1_000_000)).toBeGreaterThan(1_000_000);

    await resetFlags(file);
    expect(await within2s(() => metric('smartshop_fault_held_connections'), (v) => v === 0)).toBe(0);
    expect(await metric('smartshop_fault_leaked_bytes')).toBe(0);
    expect(await metric('smartshop_feature_flag_value', { flag: 'highCpu' })).toBe(0);
  });

  it('a flags file with a syntax error is refused with a clear message and the previous flags stay', async () => {
    await setFlag(file, 'paymentFailure', 0.25);
    await within2s(() => metric('smartshop_feature_flag_value', { flag: 'paymentFailure' }), (v) => v === 0.25);
    writeFileSync(file, '{"flags": {"paymentFailure": ');
    expect(await within2s(() => metric('smartshop_feature_flags_file_refused'), (v) => v === 1)).toBe(1);
    // the previous flags stay: still failing a quarter of payments
    expect(await metric('smartshop_feature_flag_value', { flag: 'paymentFailure' })).toBe(0.25);
    await resetFlags(file);
    expect(await within2s(() => metric('smartshop_feature_flag_value', { flag: 'paymentFailure' }), (v) => v === 0)).toBe(0);
    expect(await metric('smartshop_feature_flags_file_refused')).toBe(0);
  });
});
