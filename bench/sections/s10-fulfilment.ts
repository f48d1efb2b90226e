// Section 10: the fulfilment pipeline (docs/fulfilment.md).
//  1. End-to-end lag, paid → shipped, at the simulator's nominal rate (10 journeys/s through
//     the lab's shop): read from the shipments themselves (both times are the database's).
//  2. Throughput: paid orders whose events are put in the outbox at once, until every one is
//     shipped (relay, broker, two workers), against the bare loop (worker/bare-loop.ts) run in
//     a worker container on the same broker and database, with the same confirms, prefetch,
//     transaction and ack after commit. The sides take turns run by run.
import { randomUUID } from 'node:crypto';
import mysql, { type Connection, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import { setTimeout as sleep } from 'node:timers/promises';
import { ComposeTarget } from '../../lab/index.ts';
import { runWorkerScript } from '../../lab/broker.ts';
import { runSimulation } from '../../simulator/index.ts';
import { fmtMs, fmtRate, fmtRatio, type Table } from '../format.ts';
import type { LabAccess } from '../stack-check.ts';
import { median, pairedRatio, quantile } from '../stats.ts';
import { labAccess, defineSection } from './common.ts';

const TITLE = 'Fulfilment: end-to-end lag at 10 journeys/s, and throughput against a bare amqplib loop';
const LAG_RATE = 10;
const ORDERS_PER_RUN = 400;
const WAIT_MS = 120_000;

async function connect(access: LabAccess): Promise<Connection> {
  return mysql.createConnection({ host: '127.0.0.1', port: access.mysqlPort, user: access.user, password: access.password, database: access.database, timezone: 'Z' });
}

/**
 * N orders already paid (with their payments), for one user of the bench's own; their ids.
 * One transaction that also counts them as the shop's payments would (users, successful
 * payments, revenue): the lab's invariants (revenue equals the paid orders) keep holding.
 */
async function paidOrders(conn: Connection, n: number): Promise<number[]> {
  await conn.beginTransaction();
  try {
    const [user] = await conn.query<ResultSetHeader>('INSERT INTO users (name, email) VALUES (?, ?)', ['Bench Fulfilment', `bench-${randomUUID()}@example.com`]);
    const values = Array.from({ length: n }, () => '(?, 1, 1, 9.99, \'paid\')').join(', ');
    await conn.query(`INSERT INTO orders (user_id, product_id, quantity, amount, status) VALUES ${values}`, Array.from({ length: n }, () => user.insertId));
    const [rows] = await conn.query<RowDataPacket[]>('SELECT id FROM orders WHERE user_id = ? ORDER BY id', [user.insertId]);
    const ids = rows.map((r) => Number(r.id));
    await conn.query(`INSERT INTO payments (order_id, status, amount) VALUES ${ids.map(() => '(?, \'success\', 9.99)').join(', ')}`, ids);
    await conn.query(
      'INSERT INTO stat_counters (name, shard, value) VALUES (\'users\', 0, 1), (\'payments_success\', 0, ?), (\'revenue_cents\', 0, ?) ON DUPLICATE KEY UPDATE value = value + VALUES(value)',
      [ids.length, ids.length * 999],
    );
    await conn.commit();
    return ids;
  } catch (err) {
    await conn.rollback().catch(() => undefined);
    throw err;
  }
}

/** The pipeline: every event in the outbox in one commit, then wait until every order is shipped. */
async function pipelineRun(conn: Connection, ids: number[]): Promise<number> {
  const now = new Date().toISOString();
  const started = Date.now();
  await conn.query(
    `INSERT INTO outbox (id, type, payload) VALUES ${ids.map(() => '(?, \'order.paid\', ?)').join(', ')}`,
    ids.flatMap((id) => [randomUUID(), JSON.stringify({ orderId: id, amount: '9.99', paidAt: now })]),
  );
  const list = ids.join(',');
  while (Date.now() - started < WAIT_MS) {
    const [[row]] = await conn.query<RowDataPacket[]>(`SELECT COUNT(DISTINCT order_id) AS n FROM shipments WHERE order_id IN (${list})`);
    if (Number(row?.n) >= ids.length) return Date.now() - started;
    await sleep(50);
  }
  throw new Error(`the pipeline shipped fewer than ${ids.length} orders in ${WAIT_MS / 1000} s`);
}

async function bareRun(target: ComposeTarget, ids: number[]): Promise<number> {
  return Number((await runWorkerScript(target, 'bare-loop', [ids.join(',')], WAIT_MS + 30_000)).elapsedMs);
}

export const section10 = defineSection({ id: 10, title: TITLE, needs: ['api', 'mysql'], budgetSeconds: 420 }, async (ctx) => {
  const access = labAccess(ctx);
  const target = new ComposeTarget(access.stack.project);
  if ((await target.list('worker')).length === 0) throw new Error(`the lab ${access.stack.project} runs no fulfilment workers: \`smartshop stack up\` starts them`);
  const conn = await connect(access);
  const notes: string[] = [];
  try {
    // 1. lag at the nominal rate
    const lagSeconds = Math.max(20, ctx.opts.seconds * 2);
    const since = new Date(Date.now() - 1_000);
    ctx.log(`  lag: the simulator at ${LAG_RATE} journeys/s for ${lagSeconds} s`);
    const sim = await runSimulation({ target: access.api, rate: LAG_RATE, durationSeconds: lagSeconds, seed: 10, mix: { errorRate: 0 } });
    await sleep(3_000);
    const [lagRows] = await conn.query<RowDataPacket[]>(
      'SELECT TIMESTAMPDIFF(MICROSECOND, paid_at, created_at) / 1000 AS ms FROM shipments WHERE created_at >= ? AND worker NOT LIKE \'bare-%\' ORDER BY id',
      [since],
    );
    const lags = lagRows.map((r) => Number(r.ms));
    const paid = sim.ledger.payments;
    // 2. throughput, side by side
    const runs = Math.max(2, Math.min(ctx.opts.runs, 5));
    const figures: Record<'pipeline' | 'bare loop', number[]> = { pipeline: [], 'bare loop': [] };
    for (let r = 0; r < runs; r++) {
      if (Date.now() + 60_000 > ctx.deadline) {
        notes.push(`throughput: ${runs - r} run(s) left out, the section's time was up.`);
        break;
      }
      const order = r % 2 === 0 ? (['pipeline', 'bare loop'] as const) : (['bare loop', 'pipeline'] as const);
      for (const side of order) {
        const ids = await paidOrders(conn, ORDERS_PER_RUN);
        const ms = side === 'pipeline' ? await pipelineRun(conn, ids) : await bareRun(target, ids);
        figures[side].push((ids.length * 1000) / ms);
        ctx.log(`  run ${r + 1}/${runs} ${side}: ${ids.length} orders shipped in ${fmtMs(ms)} (${fmtRate((ids.length * 1000) / ms)})`);
      }
    }
    const ratio = pairedRatio(figures.pipeline, figures['bare loop']);
    const lagTable: Table = {
      title: 'End-to-end lag (paid → shipped)',
      headers: ['rate', 'shipments', 'p50', 'p99', 'max'],
      align: ['left'],
      rows: [[`${LAG_RATE} journeys/s`, String(lags.length), fmtMs(quantile(lags, 0.5)), fmtMs(quantile(lags, 0.99)), fmtMs(Math.max(...lags, 0))]],
    };
    const throughput: Table = {
      title: `Throughput (${ORDERS_PER_RUN} paid orders per run, median of the runs)`,
      headers: ['side', 'orders shipped per second', 'runs'],
      align: ['left'],
      rows: Object.entries(figures).map(([side, list]) => [side, fmtRate(median(list)), String(list.length)]),
    };
    const ratios: Table = { title: 'Ratio', headers: ['', 'pipeline ÷ bare loop (throughput)'], align: ['left'], rows: [['fulfilment', fmtRatio(ratio)]] };
    if (lags.length === 0) notes.push('no shipment was read for the lag: are the workers consuming? (`smartshop queue status`)');
    return {
      status: 'ok',
      about: [
        `Lag: the simulator at ${LAG_RATE} journeys/s for ${lagSeconds} s against the lab's shop (no injected errors); each shipment's paid_at (the payment's commit) to its created_at (the worker's commit), both from the database's clock; ${paid} payments acknowledged.`,
        `Throughput: ${ORDERS_PER_RUN} orders already paid; the pipeline side puts their events in the outbox in one commit and times until the last is shipped (relay polling every 250 ms, confirms, the quorum queue, the lab's workers); the bare side runs worker/bare-loop.ts in a worker container: the same events published with confirms to a quorum queue of its own and consumed by two consumers with the same prefetch and the same transaction, acked after commit. The sides take turns run by run.`,
      ],
      tables: [lagTable, throughput, ratios],
      notes,
      data: { lagsMs: { p50: quantile(lags, 0.5), p99: quantile(lags, 0.99), count: lags.length }, throughput: figures, ratio },
    };
  } finally {
    await conn.end().catch(() => undefined);
  }
});
