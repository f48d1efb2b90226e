// Section 5: GET /api/stats latency with 10k, 100k and 1M orders (BENCH_STATS_SIZES), and
// how it grows: first with a history outside every window (two days old), then with as many
// rows again inside the windows (the last hour), as under sustained traffic. Never in the
// user's Galera: a throw-away single-node MariaDB of the lab (lab/throwaway-mariadb.ts),
// filled in bulk with INSERT … SELECT from a numbers table, its counters rebuilt from the
// rows as the shop's transactions would have written them.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { HttpClient } from '../../shared/http-client.ts';
import { NAIVE_STATS_SQL } from '../../app/db/stats-repository.ts';
import { SHARDS } from '../../app/db/stat-counters.ts';
import { compactWindows } from '../../app/db/purge.ts';
import { Database } from '../../app/db/database.ts';
import { createMetrics } from '../../app/metrics.ts';
import { pino } from 'pino';
import { closedLoop, loopFigures } from '../load.ts';
import { startMariaDb, type MariaDbServer } from '../../lab/throwaway-mariadb.ts';
import { BareShop } from '../bare-shop.ts';
import { fmtCount, fmtMs, fmtRatio, fmtSeconds, fmtSpread, type Table } from '../format.ts';
import { startShopProcess, type ShopProcess } from '../shop-process.ts';
import { aggregate, median, type Aggregate, type RunFigures } from '../stats.ts';
import { noisyNote, defineSection } from './common.ts';

const TITLE = '/api/stats latency as the history grows (single-node MariaDB, not the lab)';
/** rows per INSERT … SELECT */
const CHUNK = 100_000;
const OLD = 'NOW(3) - INTERVAL 2 DAY';

/** 1..CHUNK in bench_numbers, by doubling (bounded: at most 20 statements). */
async function numbersTable(conn: Connection): Promise<void> {
  await conn.query('CREATE TABLE IF NOT EXISTS bench_numbers (n INT UNSIGNED NOT NULL PRIMARY KEY) ENGINE=InnoDB');
  await conn.query('INSERT IGNORE INTO bench_numbers VALUES (1)');
  for (let have = 1, i = 0; have < CHUNK && i < 20; i++) {
    await conn.query('INSERT INTO bench_numbers SELECT n + ? FROM bench_numbers WHERE n + ? <= ?', [have, have, CHUNK]);
    have = Math.min(CHUNK, have * 2);
  }
}

/** Where a load puts its rows in time. */
type Placement = 'history' | 'recent' | 'folded';
const PLACED: Record<Placement, string> = {
  history: 'two days old',
  recent: 'in the last hour, 16 shards a minute',
  folded: "in the last hour, finished minutes folded (the shop's purge round)",
};

/** created_at of row `seq`: two days old, or spread over the last 55 minutes. */
const WHEN: Record<Exclude<Placement, 'folded'>, string> = {
  history: OLD,
  recent: 'NOW(3) - INTERVAL (seq % 3300) SECOND',
};

/**
 * Rows from+1..to (ids) in users, orders, payments and activity_logs. History is settled (paid
 * or failed); recent rows are a live mix (a tenth still pending, the rest paid or failed).
 * Stops between chunks once the deadline has passed; returns the rows reached.
 */
async function grow(conn: Connection, from: number, to: number, deadline: number, placement: Exclude<Placement, 'folded'>): Promise<number> {
  let reached = from;
  const at = WHEN[placement];
  const status = placement === 'history' ? "IF(seq % 5 = 0, 'failed', 'paid')" : "IF(seq % 10 = 0, 'pending', IF(seq % 5 = 0, 'failed', 'paid'))";
  for (let start = from + 1; start <= to; start += CHUNK) {
    if (Date.now() > deadline) return reached;
    const end = Math.min(to, start + CHUNK - 1);
    const seq = `(SELECT n + ${start - 1} AS seq FROM bench_numbers WHERE n <= ${end - start + 1}) s`;
    await conn.query(`INSERT INTO users (id, name, email, created_at, last_login_at) SELECT seq, CONCAT('u', seq), CONCAT('u', seq, '@bench.example'), ${at}, ${at} FROM ${seq}`);
    await conn.query(`INSERT INTO orders (id, user_id, product_id, quantity, amount, status, created_at, updated_at) SELECT seq, seq, 1 + seq % 5, 1, 89.99, ${status}, ${at}, ${at} FROM ${seq}`);
    await conn.query(`INSERT INTO payments (id, order_id, status, amount, created_at) SELECT seq, seq, IF(seq % 5 = 0, 'failed', 'success'), 89.99, ${at} FROM ${seq} WHERE seq % 10 <> 0 OR ${placement === 'history' ? 1 : 0}`);
    await conn.query(`INSERT INTO activity_logs (id, level, event, message, created_at) SELECT seq, IF(seq % 5 = 0, 'medium', 'low'), 'order.created', CONCAT('Order created: ', seq), ${at} FROM ${seq}`);
    reached = end;
  }
  return reached;
}

/**
 * The counters as the shop's transactions would have left them for the rows loaded in bulk
 * (totals over everything, buckets for the last two hours, spread over the shards).
 */
async function rebuildCounters(conn: Connection): Promise<void> {
  const minute = "DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:00')";
  const recent = 'created_at >= NOW() - INTERVAL 2 HOUR';
  await conn.query('DELETE FROM stat_counters');
  await conn.query('DELETE FROM stat_windows');
  await conn.query(`INSERT INTO stat_counters (name, shard, value)
    SELECT 'users', id % ${SHARDS}, COUNT(*) FROM users GROUP BY 2
    UNION ALL SELECT CONCAT('payments_', status), id % ${SHARDS}, COUNT(*) FROM payments GROUP BY 1, 2
    UNION ALL SELECT 'revenue_cents', id % ${SHARDS}, ROUND(SUM(amount) * 100) FROM payments WHERE status = 'success' GROUP BY 2
    UNION ALL SELECT 'orders_pending', id % ${SHARDS}, COUNT(*) FROM orders WHERE status = 'pending' GROUP BY 2`);
  await conn.query(`INSERT INTO stat_windows (name, bucket, shard, value)
    SELECT 'orders', ${minute}, id % ${SHARDS}, COUNT(*) FROM orders WHERE ${recent} GROUP BY 2, 3
    UNION ALL SELECT CONCAT('payments_', status), ${minute}, id % ${SHARDS}, COUNT(*) FROM payments WHERE ${recent} GROUP BY 1, 2, 3
    UNION ALL SELECT 'revenue_cents', ${minute}, id % ${SHARDS}, ROUND(SUM(amount) * 100) FROM payments WHERE ${recent} AND status = 'success' GROUP BY 2, 3
    UNION ALL SELECT CONCAT('activity_', level), ${minute}, id % ${SHARDS}, COUNT(*) FROM activity_logs WHERE ${recent} GROUP BY 1, 2, 3
    UNION ALL SELECT 'logins_today', CURDATE(), id % ${SHARDS}, COUNT(*) FROM users WHERE last_login_at >= CURDATE() GROUP BY 3`);
}

/** `opts.concurrency` requests in flight for a few seconds: the figures of one run. */
async function timeConcurrent(concurrency: number, requests: number, deadline: number, fn: () => Promise<boolean>): Promise<RunFigures> {
  const durationMs = Math.max(1_000, Math.min(10_000, deadline - Date.now()));
  const res = await closedLoop({ concurrency, durationMs, maxOps: requests }, async () => ((await fn()) ? true : 'failed'));
  return loopFigures(res);
}

interface SizeResult {
  size: number;
  placement: Placement;
  seedSeconds: number;
  shop: Aggregate;
  bare: Aggregate;
  naiveMs: number;
}

export const section5 = defineSection({ id: 5, title: TITLE, needs: [], budgetSeconds: 420 }, async (ctx) => {
  const { opts } = ctx;
  let db: MariaDbServer | undefined;
  let shop: ShopProcess | undefined;
  let bare: BareShop | undefined;
  let root: Connection | undefined;
  try {
    ctx.log(' starting a throw-away MariaDB (lab/throwaway-mariadb.ts)');
    db = await startMariaDb({ extraArgs: ['--innodb-buffer-pool-size=256M'] });
    shop = await startShopProcess({ db: { ...db.connection, poolSize: 10 }, metricsEnabled: true, requestLogging: true, logLevel: 'info', errorInjection: false, waitForSchema: true });
    bare = new BareShop({ ...db.connection, poolSize: 2 });
    ctx.versions['MariaDB (section 5, single node)'] = await bare.version();
    root = await db.rootConnection();
    await root.query(`USE \`${db.connection.database}\``);
    await numbersTable(root);
    const http = new HttpClient({ baseUrl: shop.url, timeoutMs: 30_000 });
    const results: SizeResult[] = [];
    const notes: string[] = [];
    const stats = async (): Promise<boolean> => {
      const r = await http.get('/api/stats');
      return r.kind === 'response' && r.status === 200;
    };
    const bareStats = async (): Promise<boolean> => {
      await (bare as BareShop).stats();
      return true;
    };
    const conn = root;
    const measure = async (size: number, placement: Placement, seedSeconds: number): Promise<void> => {
      await conn.query('ANALYZE TABLE users, orders, payments, activity_logs, stat_counters, stat_windows');
      const sizeDeadline = Math.min(ctx.deadline, Date.now() + 120_000);
      // let InnoDB's background work after the load settle, then warm both paths up
      await sleep(opts.quick ? 1_000 : 3_000);
      const inFlight = opts.concurrency;
      const perRun = opts.statsRequests * inFlight;
      await timeConcurrent(inFlight, Math.round(perRun / 2), sizeDeadline, stats);
      await timeConcurrent(inFlight, Math.round(perRun / 2), sizeDeadline, bareStats);
      const shopRuns: RunFigures[] = [];
      const bareRuns: RunFigures[] = [];
      for (let r = 0; r < opts.runs && Date.now() < sizeDeadline; r++) {
        shopRuns.push(await timeConcurrent(inFlight, perRun, sizeDeadline, stats));
        bareRuns.push(await timeConcurrent(inFlight, perRun, sizeDeadline, bareStats));
      }
      const naive: number[] = [];
      for (let i = 0; i < (opts.quick ? 3 : 5) && Date.now() < sizeDeadline; i++) {
        const t = performance.now();
        await conn.query<RowDataPacket[]>(NAIVE_STATS_SQL);
        naive.push(performance.now() - t);
      }
      const res: SizeResult = { size, placement, seedSeconds, shop: aggregate(shopRuns, opts.noiseThreshold), bare: aggregate(bareRuns, opts.noiseThreshold), naiveMs: median(naive) };
      results.push(res);
      ctx.log(`  ${fmtCount(size)} ${PLACED[placement]}: GET /api/stats p50 ${fmtMs(res.shop.p50)} ms p99 ${fmtMs(res.shop.p99)} ms, bare ${fmtMs(res.bare.p50)} ms, naive COUNT(*) ${fmtMs(res.naiveMs)} ms`);
      const noisy = noisyNote(`GET /api/stats at ${fmtCount(size)} ${PLACED[placement]}`, res.shop, opts.noiseThreshold);
      if (noisy) notes.push(noisy);
    };
    let have = 0;
    for (const size of opts.statsSizes) {
      // a rough bound: about 40k rows per second per table on a small machine, plus the measurements
      const expectedMs = ((size - have) / 40_000) * 4_000 + 30_000;
      if (Date.now() + expectedMs > ctx.deadline) {
        notes.push(`${fmtCount(size)} left out: not enough of the section's time left to load it.`);
        break;
      }
      ctx.log(` loading ${fmtCount(size)} rows per table, two days old`);
      const ts = performance.now();
      // keep 30 s of the section for measuring what was loaded
      have = await grow(root, have, size, ctx.deadline - 30_000, 'history');
      if (have < size) {
        notes.push(`${fmtCount(size)} left out: the section's time was up after loading ${fmtCount(have)} rows per table.`);
        break;
      }
      await rebuildCounters(root);
      await measure(size, 'history', (performance.now() - ts) / 1000);
    }
    // then as many rows again inside the windows, as sustained traffic leaves them
    const recent = have;
    if (recent > 0 && Date.now() + (recent / 40_000) * 4_000 + 30_000 < ctx.deadline) {
      ctx.log(` loading ${fmtCount(recent)} more rows per table, inside the last hour`);
      const ts = performance.now();
      const reached = await grow(root, recent, 2 * recent, ctx.deadline - 30_000, 'recent');
      if (reached === 2 * recent) {
        await rebuildCounters(root);
        await measure(recent, 'recent', (performance.now() - ts) / 1000);
        // what the shop's purge round leaves under sustained traffic: every finished minute
        // one row per counter, only the last two minutes sharded
        if (Date.now() + 30_000 < ctx.deadline) {
          const tf = performance.now();
          const pool = new Database({ ...db.connection, poolSize: 1 }, createMetrics({ defaults: false }), pino({ level: 'silent' }), false);
          try {
            await compactWindows(pool, 1_000);
          } finally {
            await pool.close();
          }
          await measure(recent, 'folded', (performance.now() - tf) / 1000);
        } else notes.push("the folded windows were left out: not enough of the section's time left.");
      } else notes.push(`the rows inside the windows were left out: the section's time was up after ${fmtCount(reached - recent)} of them.`);
    } else if (recent > 0) notes.push("the rows inside the windows were left out: not enough of the section's time left to load them.");
    const base = results[0];
    const rows = results.map((r) => [
      fmtCount(r.size),
      PLACED[r.placement],
      fmtSeconds(r.seedSeconds),
      fmtMs(r.shop.p50),
      fmtMs(r.shop.p95),
      fmtMs(r.shop.p99),
      fmtSpread(Math.max(r.shop.spreadP50, r.shop.spreadThroughput), opts.noiseThreshold),
      fmtMs(r.bare.p50),
      fmtMs(r.bare.p99),
      fmtMs(r.naiveMs),
      base === undefined ? '—' : fmtRatio(r.shop.p99 / base.shop.p99),
      base === undefined ? '—' : fmtRatio(r.naiveMs / base.naiveMs),
    ]);
    const table: Table = {
      headers: ['orders (rows per table)', 'where they are', 'load time', 'GET /api/stats p50 ms', 'p95 ms', 'p99 ms', 'spread', 'its SQL alone p50 ms', 'p99 ms', 'naive COUNT(*) p50 ms', 'stats p99 vs first row', 'naive vs first row'],
      rows,
    };
    return {
      status: 'ok',
      about: [
        "Measured on a throw-away single-node MariaDB started by lab/throwaway-mariadb.ts (Debian's mariadbd, innodb_flush_log_at_trx_commit=2, 256 MiB buffer pool), never on the lab's Galera cluster: a million rows would be replicated to every node and stay in the user's data. The shop runs in its own process against it, metrics and request logging on.",
        `At each size, users, orders, payments and activity_logs each hold that many rows, loaded with INSERT … SELECT from a numbers table (${fmtCount(CHUNK)} rows per statement), two days old and settled (paid or failed): outside every window. Then as many rows again are loaded inside the windows, spread over the last 55 minutes (a tenth still pending), as hours of sustained traffic leave them: that is where counting raw rows hurt. After each load the counters (stat_counters, stat_windows) are rebuilt from the rows, as the shop's transactions would have written them (each minute's buckets over 16 shards); the last row then folds every finished minute into one row per counter with the shop's own purge step (app/db/purge.ts compactWindows), as its purge round keeps them under sustained traffic (the load time column is the fold's time there).`,
        `GET /api/stats runs with ${opts.concurrency} requests in flight, up to ${fmtCount(opts.statsRequests * opts.concurrency)} requests or 10 s per run (${opts.runs} runs per row); "its SQL alone" is the same STATS_SQL over mysql2 with no HTTP (2 connections), and "naive COUNT(*)" is NAIVE_STATS_SQL, the same answer counted from the raw rows as the stats page did before the counters (one at a time).`,
      ],
      tables: [table],
      notes,
      data: { results },
    };
  } finally {
    await shop?.stop();
    await bare?.close();
    await root?.end().catch(() => undefined);
    await db?.destroy();
  }
});
