// The shop's SQL without the shop: a bare mysql2 pool that issues what the app's
// repositories issue for each endpoint (the same statements, in the same transactions,
// the same causal-read toggling), with no HTTP, Express, validation, metrics, logging or
// retries. Where the app exports its SQL (STATS_SQL, the order helpers, the activity and
// counter writes) it is reused as is, so the two cannot drift apart.
import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { STATS_SQL } from '../app/db/stats-repository.ts';
import { ORDER_COLUMNS, applyTransition, readOrder } from '../app/db/orders-repository.ts';
import { addRevenueOfOrder, bumpCounter, logActivity } from '../app/db/activity.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DbConfig } from '../app/config.ts';
import { BACKOFF_MS, MAX_ATTEMPTS, type SqlParam, type Tx } from '../app/db/database.ts';
import { classifyDbError } from '../app/db/errors.ts';

/** Where the bare loop connects: the same settings the shop's own pool takes. */
export type BareSettings = DbConfig;

const TIMEOUT_MS = 10_000;
const USER_COLUMNS = 'id, name, email, created_at, last_login_at, logged_in';

/** What the bare loop runs per workload, for the report. */
export const BARE_SQL = {
  stats: `SET SESSION wsrep_sync_wait = 1 (once per connection: the shop reads /api/stats causally), then:\n\n\`\`\`sql\n${STATS_SQL}\n\`\`\``,
  createOrder: [
    '```sql',
    'BEGIN;',
    "INSERT INTO orders (user_id, product_id, quantity, amount, status) SELECT u.id, p.id, ?, p.price * ?, 'pending' FROM users u JOIN products p ON p.id = ? WHERE u.id = ?;",
    `SELECT ${ORDER_COLUMNS}, p.name AS product_name FROM orders o LEFT JOIN products p ON p.id = o.product_id WHERE o.id = ?;`,
    'INSERT INTO activity_logs (level, event, message) VALUES (?, ?, ?);',
    'COMMIT;',
    '```',
  ].join('\n'),
  journey: [
    "Each journey step runs the transaction of the shop's repository for that endpoint (users.create, users.login, products.list,",
    'orders.create, orders.transition, payments.process, orders.get, stats, users.logout); every write is wrapped, as the',
    "simulator's Idempotency-Key makes the shop do, in `INSERT IGNORE INTO idempotency_keys` before and",
    '`UPDATE idempotency_keys SET status_code = ?, body = ?` after; causal reads (orders.get, stats) toggle',
    '`wsrep_sync_wait` on the connection only when it differs, as the shop does.',
  ].join(' '),
};

interface ConnState {
  causal: boolean;
}

export class BareShop {
  readonly pool: Pool;
  private readonly conns = new WeakMap<object, ConnState>();
  private causalSupported = true;

  constructor(settings: BareSettings) {
    this.pool = mysql.createPool({
      host: settings.host,
      port: settings.port,
      user: settings.user,
      password: settings.password,
      database: settings.database,
      connectionLimit: settings.poolSize,
      maxIdle: settings.poolSize,
      idleTimeout: 60_000,
      connectTimeout: 2_000,
      enableKeepAlive: true,
      waitForConnections: true,
      queueLimit: 0,
      decimalNumbers: false,
      timezone: 'Z',
      supportBigNumbers: true,
    });
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  async version(): Promise<string> {
    return this.read(false, async (c) => {
      const [rows] = await c.query<RowDataPacket[]>("SELECT VERSION() AS v, IFNULL(@@GLOBAL.wsrep_provider_version, '') AS w");
      const row = rows[0];
      const provider = row === undefined ? '' : String(row.w);
      return row === undefined ? 'unknown' : `${String(row.v)}${provider !== '' && provider !== 'none' ? ` (wsrep provider ${provider})` : ''}`;
    }).catch(async () => {
      // a server without wsrep variables
      const [rows] = await this.pool.query<RowDataPacket[]>('SELECT VERSION() AS v');
      return String(rows[0]?.v ?? 'unknown');
    });
  }

  // ---- the endpoints' SQL --------------------------------------------------------------

  /** GET /api/stats: StatsRepository.read (causal). */
  async stats(): Promise<void> {
    await this.read(true, (c) => c.query(q(STATS_SQL)));
  }

  /** GET /api/products */
  async products(): Promise<number[]> {
    return this.read(false, async (c) => {
      const [rows] = await c.query<RowDataPacket[]>(q('SELECT id, sku, name, price FROM products ORDER BY id'));
      return rows.map((r) => Number(r.id));
    });
  }

  /** GET /api/users/:id */
  async getUser(id: number): Promise<void> {
    await this.read(false, (c) => c.query(q(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, [id])));
  }

  /** GET /api/orders/:id (causal). */
  async getOrder(id: number): Promise<void> {
    await this.read(true, (c) => c.query(q(`SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.id = ?`, [id])));
  }

  /** POST /api/users/create: UsersRepository.create. */
  async createUser(name: string, email: string): Promise<number> {
    return this.tx(async (tx) => {
      const res = await tx.exec('INSERT INTO users (name, email) VALUES (?, ?)', [name, email]);
      await bumpCounter(tx, 'users');
      await logActivity(tx, 'user.created', 'low', `User created: ${name}`);
      await tx.rows(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, [res.insertId]);
      return res.insertId;
    });
  }

  /** POST /api/users/login/:id: UsersRepository.login. */
  async login(id: number): Promise<void> {
    await this.tx(async (tx) => {
      const res = await tx.exec('UPDATE users SET last_login_at = NOW(3), logged_in = 1 WHERE id = ?', [id]);
      if (res.affectedRows === 0) return;
      const rows = await tx.rows<RowDataPacket>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, [id]);
      await logActivity(tx, 'user.login', 'low', `User logged in: ${String(rows[0]?.name)}`);
    });
  }

  /** POST /api/users/logout/:id: UsersRepository.logout. */
  async logout(id: number): Promise<void> {
    await this.tx(async (tx) => {
      const res = await tx.exec('UPDATE users SET logged_in = 0 WHERE id = ? AND logged_in = 1', [id]);
      const rows = await tx.rows<RowDataPacket>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, [id]);
      if (rows[0] !== undefined && res.affectedRows === 1) await logActivity(tx, 'user.logout', 'low', `User logged out: ${String(rows[0].name)}`);
    });
  }

  /** POST /api/orders/create: OrdersRepository.create. Returns the order id (0 when nothing was inserted). */
  async createOrder(userId: number, productId: number, quantity: number): Promise<number> {
    return this.tx(async (tx) => {
      const res = await tx.exec(
        `INSERT INTO orders (user_id, product_id, quantity, amount, status)
           SELECT u.id, p.id, ?, p.price * ?, 'pending' FROM users u JOIN products p ON p.id = ? WHERE u.id = ?`,
        [quantity, quantity, productId, userId],
      );
      if (res.affectedRows === 0) {
        await tx.rows('SELECT id FROM users WHERE id = ?', [userId]);
        return 0;
      }
      const row = await readOrder(tx, res.insertId);
      await logActivity(tx, 'order.created', 'low', `Order created: ${row?.product_name ?? `product ${productId}`} - ${row?.amount ?? ''}€`);
      return res.insertId;
    });
  }

  /** POST /api/orders/{validate,process,cancel}/:id: OrdersRepository.transition. */
  async transition(id: number, action: 'validate' | 'process' | 'cancel'): Promise<void> {
    await this.tx(async (tx) => {
      const applied = await applyTransition(tx, id, action);
      const row = await readOrder(tx, id);
      if (row === undefined || !applied) return;
      await logActivity(tx, `order.${action}`, action === 'cancel' ? 'medium' : 'low', `Order ${row.id} ${row.previous_status ?? 'pending'} -> ${row.status}`);
    });
  }

  /** POST /api/payments/process/:orderId: PaymentsRepository.process. */
  async pay(orderId: number, outcome: 'success' | 'failed'): Promise<void> {
    await this.tx(async (tx) => {
      const applied = await applyTransition(tx, orderId, outcome === 'success' ? 'pay' : 'fail');
      if (!applied) {
        await readOrder(tx, orderId);
        return;
      }
      const res = await tx.exec('INSERT INTO payments (order_id, status, amount) SELECT id, ?, amount FROM orders WHERE id = ?', [outcome, orderId]);
      await bumpCounter(tx, outcome === 'success' ? 'payments_success' : 'payments_failed');
      if (outcome === 'success') await addRevenueOfOrder(tx, orderId);
      const row = await readOrder(tx, orderId);
      await logActivity(tx, `payment.${outcome}`, outcome === 'success' ? 'low' : 'medium', `Payment ${outcome} for order ${orderId} - ${row?.amount ?? ''}€`);
      await tx.rows('SELECT id, order_id, status, amount FROM payments WHERE id = ?', [res.insertId]);
    });
  }

  /**
   * A write as the shop runs it when the request carries an Idempotency-Key (the
   * simulator's writes all do): claim the key, do the work, store the answer.
   */
  async idempotent<T>(scope: string, work: () => Promise<T>): Promise<T> {
    const key = randomUUID();
    await this.read(false, (c) => c.query(q('INSERT IGNORE INTO idempotency_keys (idem_key, scope) VALUES (?, ?)', [key, scope])));
    const result = await work();
    const body = JSON.stringify({ result, at: new Date().toISOString(), pad: 'x'.repeat(120) });
    await this.read(false, (c) => c.query(q('UPDATE idempotency_keys SET status_code = ?, body = ? WHERE idem_key = ? AND scope = ?', [200, body, key, scope])));
    return result;
  }

  // ---- connections, as app/db/database.ts handles them ---------------------------------

  private async prepare(conn: PoolConnection, causal: boolean): Promise<void> {
    const key = conn.connection as object;
    let state = this.conns.get(key);
    if (state === undefined) {
      await conn.query(q('SELECT @@hostname AS backend'));
      await conn.query(q("SET time_zone = '+00:00'"));
      state = { causal: false };
      this.conns.set(key, state);
    }
    if (this.causalSupported && state.causal !== causal) {
      try {
        await conn.query(q(`SET SESSION wsrep_sync_wait = ${causal ? 1 : 0}`));
        state.causal = causal;
      } catch {
        this.causalSupported = false; // a server without wsrep: reads are causal already
      }
    }
  }

  private async read<T>(causal: boolean, fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
    const conn = await this.pool.getConnection();
    try {
      await this.prepare(conn, causal);
      const result = await fn(conn);
      conn.release();
      return result;
    } catch (err) {
      conn.destroy();
      throw err;
    }
  }

  /**
   * One transaction, retried on a write conflict (1213 at commit, 1205) as the shop's own
   * Database.transaction does (same attempts and pauses), so both sides do the same work.
   */
  private async tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.txOnce(fn);
      } catch (err) {
        if (attempt >= MAX_ATTEMPTS || classifyDbError(err)?.kind !== 'conflict') throw err;
        await sleep((BACKOFF_MS[attempt - 1] ?? 100) + Math.random() * 20);
      }
    }
  }

  private async txOnce<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.read(false, async (conn) => {
      await conn.beginTransaction();
      const tx: Tx = {
        rows: async <R extends RowDataPacket>(sql: string, params: SqlParam[] = []) => (await conn.query<R[]>(q(sql, params)))[0],
        exec: async (sql: string, params: SqlParam[] = []) => (await conn.query<ResultSetHeader>(q(sql, params)))[0],
      };
      try {
        const result = await fn(tx);
        await conn.commit();
        return result;
      } catch (err) {
        await conn.rollback().catch(() => undefined);
        throw err;
      }
    });
  }
}

function q(sql: string, values: SqlParam[] = []): { sql: string; values: SqlParam[]; timeout: number } {
  return { sql, values, timeout: TIMEOUT_MS };
}
