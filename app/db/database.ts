// The one door to MariaDB: a mysql2 pool plus bounded retries, error counting, per-backend
// counting and causal reads. Repositories say per call how safe a retry is.
import mysql from 'mysql2/promise';
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Logger } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DbConfig } from '../config.ts';
import type { Metrics, PoolSnapshot } from '../metrics.ts';
import { classifyDbError, DbError, type DbFailure } from './db-errors.ts';

/**
 * 'safe': the operation is idempotent (a read, or a conditional UPDATE whose repetition
 * changes nothing), so any transient failure is retried.
 * 'notApplied': retried only when the server certainly applied nothing (1213, 1047, refused).
 */
export type RetryPolicy = 'safe' | 'notApplied';

export interface QueryOptions {
  retry?: RetryPolicy;
  /**
   * Causal read: run with wsrep_sync_wait=1 so a Galera node first applies every write the
   * cluster committed before this read. Used by GET /api/orders/:id (a client reads the
   * order it just changed, possibly through another node) and GET /api/stats (the UI
   * shows the counter its own button just changed). Other reads accept slight staleness.
   */
  causal?: boolean;
  /**
   * When the request's database work began (Date.now()), for a second operation of the same
   * request: it gets what is left of the first one's retry budget and deadline, not its own
   * 8 s, so a keyed write's causal recheck no longer doubles the time a client may wait. Its
   * first attempt still runs past a spent deadline: a pool wait (at most 3 s) and statements
   * of at least 0.5 s each.
   */
  startedAt?: number;
}

export type SqlParam = string | number | null | Date;

/** What a transaction callback may do: statements on the transaction's connection. */
export interface Tx {
  rows<T extends RowDataPacket>(sql: string, params?: SqlParam[]): Promise<T[]>;
  exec(sql: string, params?: SqlParam[]): Promise<ResultSetHeader>;
  /**
   * The Galera node's index in the cluster (wsrep_local_index) when the connection was
   * opened; 0 on a server without Galera. Counters shard by it (stat-counters.ts).
   */
  readonly node: number;
}

/** One round trip for what a new connection needs to know about its server. */
export const CONNECTION_INFO_SQL =
  "SELECT @@hostname AS backend, (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_LOCAL_INDEX') AS node";

/** The node index of CONNECTION_INFO_SQL's answer (a number below 2^31, else 0). */
export function nodeIndexOf(value: unknown): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 && n < 2 ** 31 ? n : 0;
}

/** Attempts of one operation and the pause before each retry (exported for the bench's bare loop). */
export const MAX_ATTEMPTS = 3;
export const BACKOFF_MS: readonly number[] = [20, 80];
// Bounds that turn a sick database into a prompt 503 instead of a hang: a frozen node or a
// partition leaves queries unanswered, and without these every request would queue behind
// them for as long as TCP keeps the dead connections open.
/** Longest a statement may go unanswered before its connection is given up. */
const QUERY_TIMEOUT_MS = 5_000;
/** Longest a request waits for a free pool connection. */
const ACQUIRE_TIMEOUT_MS = 3_000;
/** No new attempt starts after this long: retries must not stretch a request past a client's patience. */
const RETRY_BUDGET_MS = 6_000;
/**
 * Every attempt of one operation ends by this long after it began (its statements' timeouts
 * shrink to what is left), so that a retry never makes a client that waits 10 s (the
 * simulator, most HTTP clients' defaults are longer) time out instead of getting its 503.
 */
const OPERATION_DEADLINE_MS = 8_000;
/** A statement always gets at least this long, even when the deadline is nearly spent. */
const MIN_STATEMENT_MS = 500;

/**
 * A statement with the inactivity timeout above, or less when the operation's deadline is
 * nearer (mysql2 raises PROTOCOL_SEQUENCE_TIMEOUT).
 */
function timed(sql: string, values: SqlParam[], deadline: number): { sql: string; values: SqlParam[]; timeout: number } {
  return { sql, values, timeout: Math.max(MIN_STATEMENT_MS, Math.min(QUERY_TIMEOUT_MS, deadline - Date.now())) };
}

interface ConnState {
  backend: string;
  node: number;
  causal: boolean;
}

export class Database {
  readonly pool: Pool;
  readonly poolSize: number;
  private readonly conns = new WeakMap<object, ConnState>();
  private causalSupported = true;
  private readonly maxAttempts: number;

  constructor(
    config: DbConfig,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    /** false for a side pool (the migration account's) that must not replace the pool gauges */
    reportPool = true,
  ) {
    this.poolSize = config.poolSize;
    this.maxAttempts = config.maxAttempts ?? MAX_ATTEMPTS;
    this.pool = mysql.createPool({
      host: config.host,
      port: config.port,
      user: config.user,
      password: config.password,
      database: config.database,
      connectionLimit: config.poolSize,
      maxIdle: config.poolSize,
      idleTimeout: 60_000,
      connectTimeout: 2_000,
      enableKeepAlive: true,
      waitForConnections: true,
      queueLimit: 0,
      decimalNumbers: false, // DECIMAL stays a string: amounts are never floats in transit
      dateStrings: false,
      timezone: 'Z',
      supportBigNumbers: true,
    });
    if (reportPool) metrics.setPoolSnapshot(() => this.poolSnapshot());
  }

  /** Reads private pool fields (mysql2 has no public API for this); undefined if absent. */
  poolSnapshot(): PoolSnapshot | undefined {
    const core = (this.pool as unknown as { pool?: Record<string, { length?: number } | undefined> }).pool;
    const all = core?._allConnections?.length;
    const free = core?._freeConnections?.length;
    const queue = core?._connectionQueue?.length;
    if (all === undefined || free === undefined || queue === undefined) return undefined;
    return { total: all, idle: free, inUse: all - free, queued: queue };
  }

  async rows<T extends RowDataPacket>(operation: string, sql: string, params: SqlParam[] = [], options: QueryOptions = {}): Promise<T[]> {
    return this.run(operation, options.retry ?? 'safe', options.causal ?? false, async (conn, _state, deadline) => {
      const [rows] = await conn.query<T[]>(timed(sql, params, deadline));
      return rows;
    });
  }

  async exec(operation: string, sql: string, params: SqlParam[], options: { retry: RetryPolicy }): Promise<ResultSetHeader> {
    return this.run(operation, options.retry, false, async (conn, _state, deadline) => {
      const [res] = await conn.query<ResultSetHeader>(timed(sql, params, deadline));
      return res;
    });
  }

  /**
   * One transaction. It is retried only when the server certainly rolled it back (1213 at
   * commit, 1047, refused): a connection lost around COMMIT has an unknown outcome.
   */
  async transaction<T>(operation: string, fn: (tx: Tx) => Promise<T>, options: QueryOptions = {}): Promise<T> {
    return this.run(operation, options.retry ?? 'notApplied', options.causal ?? false, async (conn, state, deadline) => {
      // BEGIN and COMMIT carry the statement timeout too (mysql2's beginTransaction and commit
      // have none): on a frozen node either would wait for as long as TCP keeps the link.
      await conn.query(timed('START TRANSACTION', [], deadline));
      try {
        const tx: Tx = {
          rows: async <R extends RowDataPacket>(sql: string, params: SqlParam[] = []) => (await conn.query<R[]>(timed(sql, params, deadline)))[0],
          exec: async (sql: string, params: SqlParam[] = []) => (await conn.query<ResultSetHeader>(timed(sql, params, deadline)))[0],
          node: state.node,
        };
        const result = await fn(tx);
        await conn.query(timed('COMMIT', [], deadline));
        return result;
      } catch (err) {
        // After a timeout or a lost link the connection is unusable (a ROLLBACK would queue
        // behind the unanswered statement): run() destroys it and the server rolls the
        // transaction back when the connection closes.
        if (classifyDbError(err)?.kind !== 'unavailable') await conn.query(timed('ROLLBACK', [], deadline)).catch(() => undefined);
        throw err;
      }
    }, this.maxAttempts, options.startedAt);
  }

  /** True when the server answers a trivial query (no retries: readiness must be honest). */
  async ping(): Promise<boolean> {
    try {
      await this.run('ping', 'notApplied', false, async (conn, _state, deadline) => conn.query(timed('SELECT 1', [], deadline)), 1);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  private async prepare(conn: PoolConnection, causal: boolean, deadline: number): Promise<ConnState> {
    const key = conn.connection as object;
    let state = this.conns.get(key);
    if (state === undefined) {
      const [rows] = await conn.query<RowDataPacket[]>(timed(CONNECTION_INFO_SQL, [], deadline));
      const backend = String(rows[0]?.backend ?? 'unknown').slice(0, 64);
      // Times are stored and compared in UTC whatever the server's zone (NOW(3), CURDATE()).
      await conn.query(timed("SET time_zone = '+00:00'", [], deadline));
      state = { backend, node: nodeIndexOf(rows[0]?.node), causal: false };
      this.conns.set(key, state);
    }
    // Toggle wsrep_sync_wait only when this connection's setting differs from the request's,
    // so most queries pay no extra round trip.
    if (this.causalSupported && state.causal !== causal) {
      try {
        await conn.query(timed(`SET SESSION wsrep_sync_wait = ${causal ? 1 : 0}`, [], deadline));
        state.causal = causal;
      } catch (err) {
        const failure = classifyDbError(err);
        if (failure?.kind !== 'fatal') throw err;
        // A server without wsrep support: plain reads are already causal there.
        this.causalSupported = false;
        this.logger.info({ err }, 'wsrep_sync_wait not supported by this server; causal reads disabled');
      }
    }
    return state;
  }

  /** A pool connection, or an `unavailable` failure after ACQUIRE_TIMEOUT_MS. */
  private async acquire(): Promise<PoolConnection> {
    const pending = this.pool.getConnection();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        const err = new Error(`no database connection free within ${ACQUIRE_TIMEOUT_MS} ms`) as Error & { code: string };
        err.code = 'POOL_ACQUIRE_TIMEOUT';
        reject(err);
      }, ACQUIRE_TIMEOUT_MS);
    });
    try {
      return await Promise.race([pending, timeout]);
    } catch (err) {
      // The pool may still hand this connection over later: give it straight back then.
      pending.then((c) => c.release(), () => undefined);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private shouldRetry(failure: DbFailure, policy: RetryPolicy): boolean {
    if (failure.kind === 'fatal') return false;
    return policy === 'safe' || failure.notApplied;
  }

  private async run<T>(
    operation: string,
    policy: RetryPolicy,
    causal: boolean,
    fn: (conn: PoolConnection, state: ConnState, deadline: number) => Promise<T>,
    maxAttempts = this.maxAttempts,
    started = Date.now(),
  ): Promise<T> {
    const endTimer = this.metrics.dbQueryDuration.startTimer({ operation });
    const deadline = started + OPERATION_DEADLINE_MS;
    try {
      for (let attempt = 1; ; attempt++) {
        let conn: PoolConnection | undefined;
        try {
          conn = await this.acquire();
          const state = await this.prepare(conn, causal, deadline);
          const result = await fn(conn, state, deadline);
          conn.release();
          this.metrics.dbBackendQueries.inc({ backend: state.backend });
          return result;
        } catch (err) {
          const failure = classifyDbError(err);
          if (conn !== undefined) {
            // A connection that failed at the network level is not given back to the pool.
            if (failure?.kind === 'unavailable') conn.destroy();
            else conn.release();
          }
          if (failure === undefined) throw err; // not a database error (e.g. a 404 decided inside a transaction)
          this.metrics.dbErrors.inc({ code: failure.code });
          if (attempt < maxAttempts && Date.now() - started < RETRY_BUDGET_MS && this.shouldRetry(failure, policy)) {
            this.metrics.dbRetries.inc({ operation, cause: failure.code });
            await sleep((BACKOFF_MS[attempt - 1] ?? 100) + Math.random() * 20);
            continue;
          }
          throw new DbError(failure, operation, { cause: err });
        }
      }
    } finally {
      endTimer();
    }
  }
}
