// The shop's SQL without the shop: a bare mysql2 pool that runs what the app runs for each
// endpoint, with no HTTP, Express, validation, metrics, logging or retries beyond the
// shop's own conflict retries. The writes call the app's own repository functions inside
// the app's own one-commit keyed transaction (claim the key, the work, the stat tally, the
// answer, COMMIT), and the reads its exported statements, so the two sides cannot drift.
import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { STATS_SQL } from '../app/db/stats-repository.ts';
import { ORDER_BY_ID_SQL, createOrder, transitionOrder } from '../app/db/orders-repository.ts';
import { USER_BY_ID_SQL, createUser, loginUser, logoutUser } from '../app/db/users-repository.ts';
import { PRODUCTS_SQL } from '../app/db/products-repository.ts';
import { processPayment } from '../app/db/payments-repository.ts';
import { answerKey, claimKey } from '../app/db/idempotency-records.ts';
import { StatTally, shardFor, type WriteTx } from '../app/db/stat-counters.ts';
import { fingerprintOf, scopeOf } from '../app/http/idempotency.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DbConfig } from '../app/config.ts';
import { BACKOFF_MS, CONNECTION_INFO_SQL, MAX_ATTEMPTS, nodeIndexOf, type SqlParam, type Tx } from '../app/db/database.ts';
import { classifyDbError } from '../app/db/db-errors.ts';

/** Where the bare loop connects: the same settings the shop's own pool takes. */
export type BareSettings = DbConfig;

const TIMEOUT_MS = 10_000;
const KEY_TTL_SECONDS = 86_400;

/** What the bare loop runs per workload, for the report (createOrder's SQL is recorded
 * from a real call: BareShop.statementsOf). */
export const BARE_SQL = {
  stats: `SET SESSION wsrep_sync_wait = 1 (once per connection: the shop reads /api/stats causally), then:\n\n\`\`\`sql\n${STATS_SQL}\n\`\`\``,
  journey: [
    "Each journey step runs the shop's own repository function for that endpoint (createUser, loginUser, products, createOrder,",
    'transitionOrder, processPayment, orders.get, stats, logoutUser); every write runs, as the simulator\'s Idempotency-Key makes',
    'the shop do, inside one transaction with its key record (claim first, answer last, one COMMIT); causal reads (orders.get,',
    'stats) toggle `wsrep_sync_wait` on the connection only when it differs, as the shop does.',
  ].join(' '),
};

interface ConnState {
  node: number;
  causal: boolean;
}

export class BareShop {
  readonly pool: Pool;
  private readonly conns = new WeakMap<object, ConnState>();
  private causalSupported = true;
  /** the statements of the first transaction of each write, as they were sent */
  private readonly recorded = new Map<string, string[]>();

  /** The SQL the first `operation` (createOrder, createUser, ...) ran, as a fenced block. */
  statementsOf(operation: string): string {
    const statements = this.recorded.get(operation);
    if (statements === undefined) return `(no ${operation} ran)`;
    return ['```sql', 'BEGIN;', ...statements.map((sql) => `${sql.replace(/\s+/g, ' ').trim()};`), 'COMMIT;', '```'].join('\n');
  }

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
      const [rows] = await c.query<RowDataPacket[]>(q(PRODUCTS_SQL));
      return rows.map((r) => Number(r.id));
    });
  }

  /** GET /api/users/:id */
  async getUser(id: number): Promise<void> {
    await this.read(false, (c) => c.query(q(USER_BY_ID_SQL, [id])));
  }

  /** GET /api/orders/:id (causal). */
  async getOrder(id: number): Promise<void> {
    await this.read(true, (c) => c.query(q(ORDER_BY_ID_SQL, [id])));
  }

  /** POST /api/users/create */
  async createUser(name: string, email: string): Promise<number> {
    return this.keyed('createUser', '/api/users/create', { name, email }, async (tx) => (await createUser(tx, name, email)).id);
  }

  /** POST /api/users/login/:id */
  async login(id: number): Promise<void> {
    await this.keyed('login', `/api/users/login/${id}`, undefined, (tx) => loginUser(tx, id));
  }

  /** POST /api/users/logout/:id */
  async logout(id: number): Promise<void> {
    await this.keyed('logout', `/api/users/logout/${id}`, undefined, (tx) => logoutUser(tx, id));
  }

  /** POST /api/orders/create. Returns the order id (0 when nothing was inserted). */
  async createOrder(userId: number, productId: number, quantity: number): Promise<number> {
    return this.keyed('createOrder', '/api/orders/create', { userId, productId, quantity }, async (tx) => {
      const r = await createOrder(tx, userId, productId, quantity);
      return r.ok ? r.order.id : 0;
    });
  }

  /** POST /api/orders/{validate,process,cancel}/:id */
  async transition(id: number, action: 'validate' | 'process' | 'cancel'): Promise<void> {
    await this.keyed('transition', `/api/orders/${action}/${id}`, undefined, (tx) => transitionOrder(tx, id, action));
  }

  /** POST /api/payments/process/:orderId */
  async pay(orderId: number, outcome: 'success' | 'failed'): Promise<void> {
    await this.keyed('pay', `/api/payments/process/${orderId}`, { status: outcome }, (tx) => processPayment(tx, orderId, outcome));
  }

  /**
   * A write as the shop runs it with an Idempotency-Key (the simulator's writes all carry
   * one): one transaction that claims the key, does the work, flushes the stat tally and
   * stores the answer, then commits once.
   */
  private async keyed<T>(operation: string, path: string, body: unknown, work: (tx: WriteTx) => Promise<T>): Promise<T> {
    const scope = scopeOf('POST', path);
    const id = { key: randomUUID(), scope, fingerprint: fingerprintOf(scope, body) };
    const record = this.recorded.has(operation) ? undefined : [];
    const result = await this.tx(record, async (tx) => {
      const claim = await claimKey(tx, id, KEY_TTL_SECONDS);
      if (claim.kind !== 'owner') throw new Error(`fresh key ${id.key} was not free (${claim.kind})`);
      const wtx: WriteTx = { ...tx, tally: new StatTally(shardFor(tx.node)) };
      const result = await work(wtx);
      await wtx.tally.flush(tx);
      await answerKey(tx, id, 200, JSON.stringify(result ?? null));
      return result;
    });
    if (record !== undefined && !this.recorded.has(operation)) this.recorded.set(operation, record);
    return result;
  }

  // ---- connections, as app/db/database.ts handles them ---------------------------------

  private async prepare(conn: PoolConnection, causal: boolean): Promise<ConnState> {
    const key = conn.connection as object;
    let state = this.conns.get(key);
    if (state === undefined) {
      const [rows] = await conn.query<RowDataPacket[]>(q(CONNECTION_INFO_SQL));
      await conn.query(q("SET time_zone = '+00:00'"));
      state = { node: nodeIndexOf(rows[0]?.node), causal: false };
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
    return state;
  }

  private async read<T>(causal: boolean, fn: (conn: PoolConnection, state: ConnState) => Promise<T>): Promise<T> {
    const conn = await this.pool.getConnection();
    try {
      const state = await this.prepare(conn, causal);
      const result = await fn(conn, state);
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
  private async tx<T>(record: string[] | undefined, fn: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        record?.splice(0);
        return await this.txOnce(record, fn);
      } catch (err) {
        if (attempt >= MAX_ATTEMPTS || classifyDbError(err)?.kind !== 'conflict') throw err;
        await sleep((BACKOFF_MS[attempt - 1] ?? 100) + Math.random() * 20);
      }
    }
  }

  private async txOnce<T>(record: string[] | undefined, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.read(false, async (conn, state) => {
      await conn.beginTransaction();
      const tx: Tx = {
        rows: async <R extends RowDataPacket>(sql: string, params: SqlParam[] = []) => {
          record?.push(sql);
          return (await conn.query<R[]>(q(sql, params)))[0];
        },
        exec: async (sql: string, params: SqlParam[] = []) => {
          record?.push(sql);
          return (await conn.query<ResultSetHeader>(q(sql, params)))[0];
        },
        node: state.node,
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
