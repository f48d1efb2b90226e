// Benchmark (prints figures, never fails on time): /api/stats latency with N rows of history
// per table against a naive COUNT(*) over the whole tables, and API throughput with metrics
// and request logging on vs off. Uses the test harness's real MariaDB.
//   npx tsx app/bench/stats-benchmark.ts [rows=1000000] [requests=2000]
import type { RowDataPacket } from 'mysql2/promise';
import { startMariaDb } from '../../test/mariadb.ts';
import { startShop } from '../../test/shop.ts';

const rows = Number(process.argv[2] ?? 1_000_000);
const requests = Number(process.argv[3] ?? 2_000);

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function timeCalls(n: number, concurrency: number, fn: () => Promise<unknown>): Promise<{ p50: number; p95: number; perSecond: number }> {
  const times: number[] = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        const t = performance.now();
        await fn();
        times.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  return { p50: quantile(times, 0.5), p95: quantile(times, 0.95), perSecond: n / elapsed };
}

const fmt = (ms: number): string => `${ms.toFixed(2)} ms`;

const mariadb = await startMariaDb();
try {
  // Log lines are produced at info level (as in production) and thrown away.
  const discard = { write: (_line: string): void => undefined };
  const shop = await startShop({ mariadb, ui: false, logDestination: discard });
  const conn = await mariadb.rootConnection();
  try {
    await conn.query('USE smartshop');
    console.log(`seeding ${rows.toLocaleString('en')} old rows into users, orders, payments, activity_logs ...`);
    const chunk = 100_000;
    for (let from = 1; from <= rows; from += chunk) {
      const to = Math.min(rows, from + chunk - 1);
      const old = 'NOW(3) - INTERVAL 2 DAY';
      await conn.query(`INSERT INTO users (name, email, created_at, last_login_at) SELECT CONCAT('u', seq), 'u@example.com', ${old}, ${old} FROM seq_${from}_to_${to}`);
      await conn.query(`INSERT INTO orders (user_id, product_id, quantity, amount, status, created_at, updated_at) SELECT seq, 1, 1, 89.99, IF(seq % 5 = 0, 'failed', 'paid'), ${old}, ${old} FROM seq_${from}_to_${to}`);
      await conn.query(`INSERT INTO payments (order_id, status, amount, created_at) SELECT seq, IF(seq % 5 = 0, 'failed', 'success'), 89.99, ${old} FROM seq_${from}_to_${to}`);
      await conn.query(`INSERT INTO activity_logs (level, event, message, created_at) SELECT 'low', 'old', 'old', ${old} FROM seq_${from}_to_${to}`);
    }
    await conn.query('ANALYZE TABLE users, orders, payments, activity_logs');
    const url = `${shop.baseUrl}/api/stats`;
    const stats = await timeCalls(100, 1, async () => (await fetch(url)).text());
    console.log(`GET /api/stats, ${rows.toLocaleString('en')} rows per table: p50 ${fmt(stats.p50)}, p95 ${fmt(stats.p95)}`);
    const naive = await timeCalls(5, 1, () =>
      conn.query<RowDataPacket[]>(
        "SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM payments WHERE status = 'success'), (SELECT SUM(amount) FROM payments WHERE status = 'success')",
      ),
    );
    console.log(`naive COUNT(*)/SUM over whole tables, for comparison: p50 ${fmt(naive.p50)}`);
  } finally {
    await conn.end();
  }

  for (const on of [true, false]) {
    const s = on ? shop : await startShop({ mariadb, ui: false, logDestination: discard, config: { metricsEnabled: false, requestLogging: false } });
    const r = await timeCalls(requests, 10, async () => (await fetch(`${s.baseUrl}/api/products`)).text());
    console.log(`GET /api/products, metrics+request logging ${on ? 'on ' : 'off'}: ${r.perSecond.toFixed(0)} req/s, p50 ${fmt(r.p50)}, p95 ${fmt(r.p95)}`);
    if (!on) await s.stop();
  }
  await shop.stop();
} finally {
  await mariadb.destroy();
}
