// The engine against the real shop and a real MariaDB (test/shop.ts): what the client
// counts must match what the shop counted, and failures must be counted, not fatal.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useShop } from '../test/use-shop.ts';
import { runSimulation, startRun } from './index.ts';
import { scrape, total } from './testing.ts';

const shop = useShop({ ui: false });

describe('simulator engine against the real shop', () => {
  it('pays with the configured success share over 1,000 payments, as the shop and the database record it', async () => {
    const before = await scrape(shop.baseUrl);
    const p = 0.8;
    // 3 orders per journey, none cancelled: 350 journeys = 1,050 payments
    const run = startRun({
      target: shop.baseUrl,
      cycles: 350,
      concurrency: 16,
      seed: 2024,
      mix: { paymentSuccess: p, errorRate: 0, cancelShare: 0, minOrders: 3, maxOrders: 3 },
    });
    const s = await run.done;
    const n = s.payments.success + s.payments.failed;
    expect(s.journeys.completed).toBe(350);
    expect(n).toBe(1050);
    const sd = Math.sqrt(n * p * (1 - p));
    expect(Math.abs(s.payments.success - n * p)).toBeLessThan(4.5 * sd);
    expect(s.paymentSuccessShare).toBeCloseTo(s.payments.success / n, 12);

    const after = await scrape(shop.baseUrl);
    const delta = (outcome: string): number => total(after, 'smartshop_payments_total', { outcome }) - total(before, 'smartshop_payments_total', { outcome });
    expect(delta('success')).toBe(s.payments.success);
    expect(delta('failed')).toBe(s.payments.failed);

    // every acknowledged payment is in the database with the acknowledged status
    const conn = await shop.db.rootConnection();
    try {
      const [rows] = await conn.query(`SELECT id, status FROM \`${shop.db.connection.database}\`.payments`);
      const inDb = new Map((rows as { id: number; status: string }[]).map((r) => [String(r.id), r.status]));
      const ledger = run.ledger.export().payments;
      expect(ledger).toHaveLength(1050);
      const missing = ledger.filter((pay) => inDb.get(String(pay.id)) !== pay.status);
      expect(missing).toEqual([]);
    } finally {
      await conn.end();
    }
  }, 300_000); // ~6,000 requests: 25-60 s on two busy cores

  it('the loadGeneratorFlood multiplier starts that many journeys per arrival, and 1 changes nothing', async () => {
    const journeys = async (multiplier: number): Promise<number> => {
      const run = startRun({ target: shop.baseUrl, rate: 10, durationSeconds: 1.5, concurrency: 200, seed: 9, rateMultiplier: () => multiplier, mix: { errorRate: 0, minOrders: 0, maxOrders: 0 } });
      return (await run.done).journeys.started;
    };
    const plain = await journeys(1);
    expect(plain).toBe(15);
    expect(await journeys(3)).toBe(3 * plain);
  }, 60_000);

  it('injects errors at the configured share of requests, and the shop counts the same number', async () => {
    const before = await scrape(shop.baseUrl);
    const e = 0.2;
    const s = await runSimulation({ target: shop.baseUrl, cycles: 120, concurrency: 16, seed: 7, mix: { errorRate: e } });
    const all = s.requests.total;
    const sent = s.injectedErrors.sent;
    // each request is an injected error with probability e, independently (see journey-plan.ts)
    expect(Math.abs(sent - all * e)).toBeLessThan(4.5 * Math.sqrt(all * e * (1 - e)));
    const after = await scrape(shop.baseUrl);
    expect(total(after, 'smartshop_injected_errors_total') - total(before, 'smartshop_injected_errors_total')).toBe(sent);
    expect(s.endpoints['GET /api/errors/404']?.outcomes).toEqual({ '404': s.injectedErrors.byKind['404'] });
    expect(s.endpoints['GET /api/errors/500']?.outcomes).toEqual({ '500': s.injectedErrors.byKind['500'] });
    expect(s.journeys.failed).toBe(0);
  });

  it('holds an arrival rate of 20/s for 10 s within 10%', async () => {
    const before = await scrape(shop.baseUrl);
    const s = await runSimulation({ target: shop.baseUrl, rate: 20, durationSeconds: 10, concurrency: 200, seed: 3, mix: { errorRate: 0 } });
    expect(s.stopReason).toBe('duration');
    expect(s.arrivals.scheduled).toBeGreaterThanOrEqual(180);
    expect(s.arrivals.scheduled).toBeLessThanOrEqual(220);
    expect(s.arrivals.started + s.arrivals.dropped).toBe(s.arrivals.scheduled);
    expect(s.arrivals.dropped).toBe(0);
    // the shop saw as many journeys begin (each begins with one user creation)
    const after = await scrape(shop.baseUrl);
    const created = total(after, 'smartshop_users_created_total') - total(before, 'smartshop_users_created_total');
    expect(created).toBeGreaterThanOrEqual(180);
    expect(created).toBeLessThanOrEqual(220);
  });

  it('drops arrivals beyond the concurrency cap and counts them', async () => {
    const s = await runSimulation({ target: shop.baseUrl, rate: 50, durationSeconds: 2, concurrency: 2, seed: 4, mix: { errorRate: 0 } });
    expect(s.arrivals.scheduled).toBe(100);
    expect(s.arrivals.dropped).toBeGreaterThan(0);
    expect(s.arrivals.started).toBeLessThan(100);
    expect(s.journeys.dropped).toBe(s.arrivals.dropped);
  });

  it('serves its own metrics while running, with the contract names', async () => {
    const run = startRun({ target: shop.baseUrl, rate: 5, concurrency: 10, seed: 5, metricsPort: await freeTcpPort(), backgroundStatsSeconds: 0.1 });
    try {
      let text = '';
      const created = /simulator_requests_total\{endpoint="POST \/api\/users\/create",outcome="201"\} \d+/;
      // at least 1 s, so the 0.1 s background reader outnumbers the 5/s journeys
      for (let i = 0; i < 50 && (i < 5 || !created.test(text)); i++) {
        await new Promise((r) => setTimeout(r, 200));
        const port = run.snapshot().metricsPort;
        if (port) text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
      }
      expect(text).toContain('simulator_request_duration_seconds_bucket{');
      expect(text).toMatch(created);
    } finally {
      run.stop();
    }
    const s = await run.done;
    expect(s.stopReason).toBe('stopped');
    // the background reader adds /api/stats reads beyond the one per journey
    expect(s.endpoints['GET /api/stats']?.requests ?? 0).toBeGreaterThan(s.journeys.started);
  });

  it('counts refused connections and goes on', async () => {
    const port = await freeTcpPort(); // nothing listens there once freeTcpPort returns
    const s = await runSimulation({ target: `http://127.0.0.1:${port}`, cycles: 5, concurrency: 2, retries: 1, backoffMs: 5, seed: 6 });
    expect(s.reachable).toBe(false);
    expect(s.journeys.failed).toBe(5);
    expect(s.requests.connectionErrors).toBe(10); // 5 journeys × (1 attempt + 1 retry) on their first step
    expect(s.requests.errorCodes.ECONNREFUSED).toBe(10);
    expect(s.requests.retries).toBe(5);
    expect(s.ledger.uncertain).toBe(0); // a refused write was certainly not applied
  });

  it('lets 16 journeys back off at once without a listener-leak warning', async () => {
    const port = await freeTcpPort();
    // every journey sleeps its back-off on the run's shared stop signal at the same time: by
    // design, so Node must not call it a leak (MaxListenersExceededWarning, seen in every drill)
    const warnings: string[] = [];
    const onWarning = (w: Error): void => { warnings.push(w.name); };
    process.on('warning', onWarning);
    const s = await runSimulation({ target: `http://127.0.0.1:${port}`, cycles: 32, concurrency: 16, retries: 1, backoffMs: 200, seed: 7 });
    process.off('warning', onWarning);
    expect(s.journeys.failed).toBe(32);
    expect(s.requests.retries).toBeGreaterThanOrEqual(32);
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('waits on a paid order until the bound when no worker ships it, and counts it as not shipped in time', async () => {
    // the in-process shop has no broker and no workers: a paid order stays waiting
    const run = startRun({ target: shop.baseUrl, cycles: 1, concurrency: 1, seed: 4, mix: { errorRate: 0, cancelShare: 0, paymentSuccess: 1, minOrders: 1, maxOrders: 1, fulfilmentWait: 1 } });
    const s = await run.done;
    expect(s.journeys.completed).toBe(1);
    expect(s.fulfilment).toMatchObject({ waited: 1, fulfilled: 0, timedOut: 1 });
    expect(s.elapsedSeconds).toBeGreaterThanOrEqual(9);
    expect(run.ledger.export().fulfilments).toEqual([expect.objectContaining({ lagMs: null })]);
    // read back with backoff, not hammered: at most a dozen reads in 10 s
    expect(s.endpoints['GET /api/orders/:id']?.requests).toBeLessThanOrEqual(12);
  }, 60_000);

  it('counts 503s while the database is down and goes on (runs last: stops the database)', async () => {
    await shop.db.stop();
    const s = await runSimulation({ target: shop.baseUrl, cycles: 6, concurrency: 3, retries: 2, backoffMs: 5, timeoutMs: 15_000, seed: 8 });
    expect(s.reachable).toBe(true);
    expect(s.journeys.failed).toBe(6);
    expect(s.requests.byOutcome['503']).toBeGreaterThanOrEqual(6);
    expect(s.requests.retries).toBeGreaterThan(0);
    expect(s.ledger.users).toBe(0);
  });
});

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
