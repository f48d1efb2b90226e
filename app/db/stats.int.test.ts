// /api/stats must not slow down as tables or traffic grow: EXPLAIN shows every part of the
// stats query reading a handful of counter rows or a bounded bucket range, never a table;
// and after a random journey mix its answer equals the naive COUNT(*) over the raw rows.
// (Speed itself is measured by a benchmark, not asserted here.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { startShop, type Shop } from '../../test/shop.ts';
import { request } from '../../test/client.ts';
import { NAIVE_STATS_SQL, STATS_SQL, toStats, type StatsRow } from './stats-repository.ts';
import { runSimulation } from '../../simulator/index.ts';
import { compactWindows } from './purge.ts';

const OLD_ROWS = 20_000;
let shop: Shop;

beforeAll(async () => {
  // no purge rounds of its own: the fold below is called, not raced
  shop = await startShop({ ui: false, config: { purgeIntervalSeconds: 0 } });
  const conn = await shop.db.rootConnection();
  try {
    await conn.query('USE smartshop');
    // Old history (two days ago), written straight in SQL with the sequence engine.
    const old = 'NOW(3) - INTERVAL 2 DAY';
    await conn.query(`INSERT INTO users (name, email, created_at, last_login_at) SELECT CONCAT('u', seq), 'u@example.com', ${old}, ${old} FROM seq_1_to_${OLD_ROWS}`);
    await conn.query(`INSERT INTO orders (user_id, product_id, quantity, amount, status, created_at, updated_at)
                        SELECT seq, 1, 1, 89.99, IF(seq % 2 = 0, 'paid', 'failed'), ${old}, ${old} FROM seq_1_to_${OLD_ROWS}`);
    await conn.query(`INSERT INTO payments (order_id, status, amount, created_at) SELECT seq, IF(seq % 2 = 0, 'success', 'failed'), 89.99, ${old} FROM seq_1_to_${OLD_ROWS}`);
    await conn.query(`INSERT INTO activity_logs (level, event, message, created_at) SELECT 'low', 'old', 'old', ${old} FROM seq_1_to_${OLD_ROWS}`);
    await conn.query('ANALYZE TABLE users, orders, payments, activity_logs, stat_counters');
  } finally {
    await conn.end();
  }
});
afterAll(async () => {
  await shop?.stop();
});

describe('stats query plan', () => {
  it('uses indexes or counters only, no full scans', async () => {
    const conn = await shop.db.rootConnection();
    try {
      await conn.query('USE smartshop');
      const [plan] = await conn.query<RowDataPacket[]>(`EXPLAIN ${STATS_SQL}`);
      const tables = plan.filter((row) => row.table !== null);
      expect(tables.length).toBeGreaterThanOrEqual(12);
      // counters and buckets only: the raw tables are not read at all
      expect(tables.map((row) => String(row.table)).filter((t) => !['stat_counters', 'stat_windows'].includes(t))).toEqual([]);
      for (const row of tables) {
        expect(row.type, `${String(row.table)} via ${String(row.key)}`).not.toBe('ALL');
        expect(row.type, `${String(row.table)} via ${String(row.key)}`).not.toBe('index'); // a full index scan is a scan too
        expect(Number(row.rows), `${String(row.table)} rows examined`).toBeLessThan(1_000);
      }
    } finally {
      await conn.end();
    }
  });

  it('still answers with only the recent activity in the windows', async () => {
    const stats = await request<{ orders_last_10min: number; payments_last_hour: { success: number }; active_users_today: number }>(shop.baseUrl, 'GET', '/api/stats');
    expect(stats.body).toMatchObject({ orders_last_10min: 0, payments_last_hour: { success: 0 }, active_users_today: 0 });
  });
});

describe('stats from counters equal the raw rows', () => {
  it('after a random journey mix (users, logins, orders, transitions, payments, cancels)', async () => {
    const conn = await shop.db.rootConnection();
    try {
      await conn.query('USE smartshop');
      await conn.query("SET time_zone = '+00:00'"); // as the shop's sessions: NOW() and the buckets in UTC
      // only the journeys' rows: the old history above has no counters, by design
      await conn.query('DELETE FROM users');
      await conn.query('DELETE FROM orders');
      await conn.query('DELETE FROM payments');
      await conn.query('DELETE FROM activity_logs');
      await conn.query('DELETE FROM stat_counters');
      await conn.query('DELETE FROM stat_windows');
      const summary = await runSimulation({ target: shop.baseUrl, cycles: 40, concurrency: 8, seed: 1603, mix: { errorRate: 0 } });
      expect(summary.ledger.orders).toBeGreaterThan(20);
      expect(summary.ledger.payments).toBeGreaterThan(5);
      const [fast] = await conn.query<StatsRow[]>(STATS_SQL);
      const [naive] = await conn.query<StatsRow[]>(NAIVE_STATS_SQL);
      const counted = toStats(fast[0] as StatsRow);
      expect(counted).toEqual(toStats(naive[0] as StatsRow));
      expect(counted.pending_orders + counted.orders_last_10min).toBeGreaterThan(0);
      // and the endpoint answers exactly that
      expect((await request(shop.baseUrl, 'GET', '/api/stats')).body).toEqual(counted);
    } finally {
      await conn.end();
    }
  }, 120_000);
});

describe('finished minutes folded into one row each', () => {
  it('keeps every answer, leaves the current minute, the day bucket and older hours alone, and is idempotent', async () => {
    const conn = await shop.db.rootConnection();
    try {
      await conn.query('USE smartshop');
      await conn.query("SET time_zone = '+00:00'");
      await conn.query('DELETE FROM stat_windows');
      const minute = (ago: number): string => `DATE_FORMAT(NOW() - INTERVAL ${ago} MINUTE, '%Y-%m-%d %H:%i:00')`;
      // every shard of three finished minutes of the last hour, of the current minute and of
      // one three hours old; the day bucket too
      for (const name of ['orders', 'payments_success', 'revenue_cents', 'activity_low']) {
        for (const ago of [0, 5, 30, 59, 180]) {
          await conn.query(`INSERT INTO stat_windows (name, bucket, shard, value) SELECT ?, ${minute(ago)}, seq, seq + 1 FROM seq_0_to_15`, [name]);
        }
      }
      await conn.query("INSERT INTO stat_windows (name, bucket, shard, value) SELECT 'logins_today', CURDATE(), seq, 2 FROM seq_0_to_15");
      const read = async (): Promise<unknown> => toStats(((await conn.query<StatsRow[]>(STATS_SQL))[0][0]) as StatsRow);
      const count = async (where: string): Promise<number> =>
        Number(((await conn.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM stat_windows WHERE ${where}`))[0][0] as { n: number }).n);
      const before = await read();
      expect(before).toMatchObject({ active_users_today: 32, orders_last_10min: 2 * 136 });

      const folded = await compactWindows(shop.app.ctx.db);
      expect(folded).toEqual({ total: 3, backlog: false });
      expect(await read()).toEqual(before);
      for (const ago of [5, 30, 59]) {
        expect(await count(`bucket = ${minute(ago)}`), `${ago} minutes ago`).toBe(4); // one row per counter
        expect(await count(`bucket = ${minute(ago)} AND shard = 0 AND value = 136`)).toBe(4); // 1 + 2 + … + 16
      }
      expect(await count(`bucket = ${minute(0)}`)).toBe(4 * 16);
      expect(await count(`bucket = ${minute(180)}`)).toBe(4 * 16);
      expect(await count("name = 'logins_today'")).toBe(16);

      expect(await compactWindows(shop.app.ctx.db)).toEqual({ total: 0, backlog: false });
      expect(await read()).toEqual(before);
    } finally {
      await conn.end();
    }
  });
});
