// Section 5: GET /api/stats latency with 10k, 100k and 1M orders (BENCH_STATS_SIZES), and
// how it grows. Never in the user's Galera: a throw-away single-node MariaDB of the test
// harness (test/mariadb.ts), filled in bulk with INSERT … SELECT from a numbers table.
// (This replaces app/bench/stats-benchmark.ts.)
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { HttpClient } from '../../shared/http-client.ts';
import { startMariaDb, type MariaDbServer } from '../../test/mariadb.ts';
import { BareShop } from '../bare-shop.ts';
import { fmtCount, fmtMs, fmtRatio, fmtSeconds, fmtSpread, type Table } from '../format.ts';
import type { SectionResult } from '../report.ts';
import { startShopProcess, type ShopProcess } from '../shop-process.ts';
import { aggregate, median, runFigures, type Aggregate, type RunFigures } from '../stats.ts';
import { noisyNote, type Section, type SectionContext } from './common.ts';

const TITLE = '/api/stats latency as the history grows (single-node MariaDB, not the lab)';
/** rows per INSERT … SELECT */
const CHUNK = 100_000;
const OLD = 'NOW(3) - INTERVAL 2 DAY';

export const NAIVE_SQL =
  "SELECT (SELECT COUNT(*) FROM users) AS users, (SELECT COUNT(*) FROM payments WHERE status = 'success') AS paid, (SELECT SUM(amount) FROM payments WHERE status = 'success') AS revenue, (SELECT COUNT(*) FROM orders) AS orders";

/** 1..CHUNK in bench_numbers, by doubling (bounded: at most 20 statements). */
async function numbersTable(conn: Connection): Promise<void> {
  await conn.query('CREATE TABLE IF NOT EXISTS bench_numbers (n INT UNSIGNED NOT NULL PRIMARY KEY) ENGINE=InnoDB');
  await conn.query('INSERT IGNORE INTO bench_numbers VALUES (1)');
  for (let have = 1, i = 0; have < CHUNK && i < 20; i++) {
    await conn.query('INSERT INTO bench_numbers SELECT n + ? FROM bench_numbers WHERE n + ? <= ?', [have, have, CHUNK]);
    have = Math.min(CHUNK, have * 2);
  }
}

/**
 * Rows from+1..to in users, orders, payments and activity_logs: two days old, settled (paid
 * or failed). Stops between chunks once the deadline has passed; returns the rows reached.
 */
async function grow(conn: Connection, from: number, to: number, deadline: number): Promise<number> {
  let reached = from;
  for (let start = from + 1; start <= to; start += CHUNK) {
    if (Date.now() > deadline) return reached;
    const end = Math.min(to, start + CHUNK - 1);
    const seq = `(SELECT n + ${start - 1} AS seq FROM bench_numbers WHERE n <= ${end - start + 1}) s`;
    await conn.query(`INSERT INTO users (name, email, created_at, last_login_at) SELECT CONCAT('u', seq), CONCAT('u', seq, '@bench.example'), ${OLD}, ${OLD} FROM ${seq}`);
    await conn.query(`INSERT INTO orders (user_id, product_id, quantity, amount, status, created_at, updated_at) SELECT seq, 1 + seq % 5, 1, 89.99, IF(seq % 5 = 0, 'failed', 'paid'), ${OLD}, ${OLD} FROM ${seq}`);
    await conn.query(`INSERT INTO payments (order_id, status, amount, created_at) SELECT seq, IF(seq % 5 = 0, 'failed', 'success'), 89.99, ${OLD} FROM ${seq}`);
    await conn.query(`INSERT INTO activity_logs (level, event, message, created_at) SELECT 'low', 'order.created', CONCAT('Order created: ', seq), ${OLD} FROM ${seq}`);
    reached = end;
  }
  return reached;
}

async function timeSequential(n: number, deadline: number, fn: () => Promise<boolean>): Promise<RunFigures> {
  const times: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  for (let i = 0; i < n && Date.now() < deadline; i++) {
    const t = performance.now();
    const ok = await fn().catch(() => false);
    if (ok) times.push(performance.now() - t);
    else errors++;
  }
  return runFigures(times, errors, (performance.now() - t0) / 1000);
}

interface SizeResult {
  size: number;
  seedSeconds: number;
  shop: Aggregate;
  bare: Aggregate;
  naiveMs: number;
}

export const section5: Section = {
  id: 5,
  title: TITLE,
  needs: [],
  budgetSeconds: 420,
  async run(ctx: SectionContext): Promise<SectionResult> {
    const t0 = Date.now();
    const { opts } = ctx;
    let db: MariaDbServer | undefined;
    let shop: ShopProcess | undefined;
    let bare: BareShop | undefined;
    let root: Connection | undefined;
    try {
      ctx.log(' starting a throw-away MariaDB (test/mariadb.ts)');
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
      let have = 0;
      for (const size of opts.statsSizes) {
        // a rough bound: about 40k rows per second per table on a small machine, plus the measurements
        const expectedMs = ((size - have) / 40_000) * 4_000 + 30_000;
        if (Date.now() + expectedMs > ctx.deadline) {
          notes.push(`${fmtCount(size)} left out: not enough of the section's time left to load it.`);
          break;
        }
        ctx.log(` loading ${fmtCount(size)} rows per table`);
        const ts = performance.now();
        // keep 30 s of the section for measuring what was loaded
        have = await grow(root, have, size, ctx.deadline - 30_000);
        if (have < size) {
          notes.push(`${fmtCount(size)} left out: the section's time was up after loading ${fmtCount(have)} rows per table.`);
          break;
        }
        await root.query('ANALYZE TABLE users, orders, payments, activity_logs');
        const seedSeconds = (performance.now() - ts) / 1000;
        const sizeDeadline = Math.min(ctx.deadline, Date.now() + 120_000);
        const stats = async (): Promise<boolean> => {
          const r = await http.get('/api/stats');
          return r.kind === 'response' && r.status === 200;
        };
        const bareStats = async (): Promise<boolean> => {
          await (bare as BareShop).stats();
          return true;
        };
        // let InnoDB's background work after the load settle, then warm both paths up
        await sleep(opts.quick ? 1_000 : 3_000);
        const warm = Math.max(20, Math.round(opts.statsRequests / 2));
        await timeSequential(warm, sizeDeadline, stats);
        await timeSequential(warm, sizeDeadline, bareStats);
        const shopRuns: RunFigures[] = [];
        const bareRuns: RunFigures[] = [];
        for (let r = 0; r < opts.runs && Date.now() < sizeDeadline; r++) {
          shopRuns.push(await timeSequential(opts.statsRequests, sizeDeadline, stats));
          bareRuns.push(await timeSequential(opts.statsRequests, sizeDeadline, bareStats));
        }
        const naive: number[] = [];
        for (let i = 0; i < (opts.quick ? 3 : 5) && Date.now() < sizeDeadline; i++) {
          const t = performance.now();
          await root.query<RowDataPacket[]>(NAIVE_SQL);
          naive.push(performance.now() - t);
        }
        const res: SizeResult = { size, seedSeconds, shop: aggregate(shopRuns, opts.noiseThreshold), bare: aggregate(bareRuns, opts.noiseThreshold), naiveMs: median(naive) };
        results.push(res);
        ctx.log(`  ${fmtCount(size)}: GET /api/stats p50 ${fmtMs(res.shop.p50)} ms, bare ${fmtMs(res.bare.p50)} ms, naive COUNT(*) ${fmtMs(res.naiveMs)} ms`);
        const noisy = noisyNote(`GET /api/stats at ${fmtCount(size)}`, res.shop, opts.noiseThreshold);
        if (noisy) notes.push(noisy);
      }
      const base = results[0];
      const rows = results.map((r) => [
        fmtCount(r.size),
        fmtSeconds(r.seedSeconds),
        fmtMs(r.shop.p50),
        fmtMs(r.shop.p95),
        fmtMs(r.shop.p99),
        fmtSpread(Math.max(r.shop.spreadP50, r.shop.spreadThroughput), opts.noiseThreshold),
        fmtMs(r.bare.p50),
        fmtMs(r.bare.p99),
        fmtMs(r.naiveMs),
        base === undefined ? '—' : fmtRatio(r.shop.p50 / base.shop.p50),
        base === undefined ? '—' : fmtRatio(r.naiveMs / base.naiveMs),
      ]);
      const table: Table = {
        headers: ['orders (rows per table)', 'load time', 'GET /api/stats p50 ms', 'p95 ms', 'p99 ms', 'spread', 'its SQL alone p50 ms', 'p99 ms', 'naive COUNT(*) p50 ms', 'stats p50 vs first size', 'naive vs first size'],
        rows,
      };
      return {
        id: 5,
        title: TITLE,
        status: 'ok',
        about: [
          "Measured on a throw-away single-node MariaDB started by the test harness (test/mariadb.ts, Debian's mariadbd, innodb_flush_log_at_trx_commit=2, 256 MiB buffer pool), never on the lab's Galera cluster: a million rows would be replicated to every node and stay in the user's data. The shop runs in its own process against it, metrics and request logging on.",
          `At each size, users, orders, payments and activity_logs each hold that many rows, loaded with INSERT … SELECT from a numbers table (${fmtCount(CHUNK)} rows per statement). The rows are two days old and settled (paid or failed): the stats query's recent windows (last hour, last 10 minutes, today) and its pending count see none of them, which is the point: its cost must not depend on the history. GET /api/stats is called ${opts.statsRequests} times in a row per run (${opts.runs} runs per size); "its SQL alone" is the same STATS_SQL over mysql2 with no HTTP, and "naive COUNT(*)" counts and sums over the whole tables, as a stats page without counters would.`,
        ],
        tables: [table],
        notes,
        seconds: (Date.now() - t0) / 1000,
        data: { results },
      };
    } finally {
      await shop?.stop();
      await bare?.close();
      await root?.end().catch(() => undefined);
      await db?.destroy();
    }
  },
};
