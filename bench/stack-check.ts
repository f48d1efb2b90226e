// Is the lab stack up on its ports? Each part is checked once, with a short timeout, on
// 127.0.0.1 only: the shop's /api/ready, MySQL through HAProxy, HAProxy's stats. Ports
// and the application account come from the environment, then from the checkout's .env
// (the file `make up` reads), then from the stack's defaults.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDotEnv } from '../shared/dot-env.ts';
import mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import type { DbConfig } from '../app/config.ts';
import { str } from '../shared/env.ts';
import { appReady } from '../stack/index.ts';
import { haproxyServers, resolveLabConfig, type LabConfig } from '../lab/index.ts';
import { haproxyVersion } from './machine.ts';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const LOOPBACK = '127.0.0.1';
export const FIX_HINT = 'start the lab with `make up` (it prints the URLs once healthy; `make status` shows each part)';

export interface LabAccess {
  stack: LabConfig;
  api: string;
  mysqlPort: number;
  haproxyStats: string;
  user: string;
  password: string;
  database: string;
  /** the app container's pool size (DB_POOL_SIZE), used for the bare loop's pool */
  poolSize: number;
}

/** The lab's database through HAProxy's published port, as the bench's shops and bare loop use it. */
export function labDb(access: LabAccess): DbConfig {
  return { host: LOOPBACK, port: access.mysqlPort, user: access.user, password: access.password, database: access.database, poolSize: access.poolSize };
}

export interface StackStatus {
  access: LabAccess;
  api: boolean;
  mysql: boolean;
  haproxy: boolean;
  /** one phrase per missing part, naming it and its address */
  problems: string[];
  mariadbVersion?: string;
  haproxyVersion?: string;
  galeraUp?: string;
}

type Env = Record<string, string | undefined>;

/** process.env over the checkout's .env (when there is one), as compose reads it. */
export function labEnv(env: Env = process.env, root = REPO_ROOT): Env {
  return loadDotEnv({ ...env }, join(root, '.env'));
}

/** The lab's ports (always reached on 127.0.0.1) and application account. */
export function labAccess(env: Env): LabAccess {
  const stack = { ...resolveLabConfig(env), bind: LOOPBACK };
  const pool = Number(env.DB_POOL_SIZE);
  return {
    stack,
    api: `http://${LOOPBACK}:${stack.ports.api}`,
    mysqlPort: stack.ports.mysql,
    haproxyStats: `http://${LOOPBACK}:${stack.ports.haproxyStats}`,
    user: str(env, 'DB_USER', 'smartshop'),
    password: str(env, 'DB_PASSWORD', ''),
    database: str(env, 'DB_NAME', 'smartshop'),
    poolSize: Number.isInteger(pool) && pool > 0 && pool <= 200 ? pool : 10,
  };
}

export async function checkStack(access: LabAccess): Promise<StackStatus> {
  const status: StackStatus = { access, api: false, mysql: false, haproxy: false, problems: [] };
  const [api, db, servers, version] = await Promise.all([
    appReady(access.stack),
    mysqlVersion(access).catch((err: unknown) => new Error(causeCode(err))),
    haproxyServers(access.stack),
    haproxyVersion(access.haproxyStats),
  ]);
  if (api === 200) status.api = true;
  else status.problems.push(`shop API ${access.api}/api/ready: ${api === 0 ? 'no answer' : `HTTP ${api}`}`);
  if (db instanceof Error) status.problems.push(`MySQL through HAProxy at ${LOOPBACK}:${access.mysqlPort} (user ${access.user}): ${db.message}`);
  else {
    status.mysql = true;
    status.mariadbVersion = db;
  }
  const galera = servers.filter((s) => s.backend === 'galera');
  if (galera.length === 0) {
    status.problems.push(`HAProxy stats ${access.haproxyStats}/: no answer (or no galera backend)`);
  } else {
    const up = galera.filter((s) => s.status === 'UP');
    status.haproxy = true;
    status.galeraUp = `${up.length}/${galera.length} Galera servers UP in HAProxy`;
    if (up.length < galera.length) status.problems.push(`HAProxy: only ${status.galeraUp} (${galera.map((s) => `${s.server} ${s.status}`).join(', ')})`);
  }
  if (version !== undefined) status.haproxyVersion = version;
  return status;
}

async function mysqlVersion(access: LabAccess): Promise<string> {
  const conn = await mysql.createConnection({
    host: LOOPBACK,
    port: access.mysqlPort,
    user: access.user,
    password: access.password,
    database: access.database,
    connectTimeout: 3_000,
  });
  try {
    const [rows] = await conn.query<RowDataPacket[]>({ sql: 'SELECT VERSION() AS v', timeout: 3_000 });
    // wsrep_provider_version is a status variable, not a system one (and absent without Galera)
    const [status] = await conn.query<RowDataPacket[]>({ sql: "SHOW GLOBAL STATUS LIKE 'wsrep_provider_version'", timeout: 3_000 });
    const provider = status[0]?.Value === undefined || status[0].Value === null ? '' : String(status[0].Value);
    return `${String(rows[0]?.v)}${provider !== '' && provider !== 'none' ? `, wsrep provider ${provider}` : ''}`;
  } finally {
    await conn.end().catch(() => undefined);
  }
}

function causeCode(err: unknown): string {
  let cur: unknown = err;
  for (let i = 0; i < 4 && cur !== null && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    if (cur instanceof Error && cur.name === 'TimeoutError') return 'timeout';
    cur = (cur as { cause?: unknown }).cause;
  }
  return err instanceof Error ? err.message : String(err);
}
