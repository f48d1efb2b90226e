// Test harness: a real MariaDB server (Debian's `mariadbd`) in a throw-away data directory
// on a free 127.0.0.1 port. Integration tests use it instead of mocks; `stop()` / `start()`
// keep the same data directory and port so a test can simulate an outage and a recovery.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, readFile, access } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';

const execFileAsync = promisify(execFile);

export interface MariaDbOptions {
  /** Database created for the application user (default `smartshop`). */
  database?: string;
  user?: string;
  password?: string;
  /** Fixed port; default: a free port chosen by the OS. */
  port?: number;
  /** Upper bound for one start, in ms (default 30 s). */
  startTimeoutMs?: number;
  /** Extra mariadbd arguments (e.g. wsrep settings). */
  extraArgs?: string[];
  /** Create the database and user (default true). */
  setup?: boolean;
}

/** What an application needs to connect (same field names as mysql2's options). */
interface MariaDbConnectionSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export interface MariaDbServer {
  /** Application user settings (all privileges on `database`). */
  readonly connection: MariaDbConnectionSettings;
  /** Unix socket where `root` (no password) connects, for admin work in tests. */
  readonly rootSocket: string;
  readonly dataDir: string;
  readonly running: boolean;
  /** Stops the server (SIGTERM, then SIGKILL after 20 s); data is kept. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** Freezes the server (SIGSTOP): it accepts TCP but answers nothing, like a hung node. */
  pause(): void;
  /** Thaws a paused server (SIGCONT). */
  resume(): void;
  /** Opens a root connection over the socket; the caller closes it. */
  rootConnection(): Promise<mysql.Connection>;
  /** Stops the server and removes the data directory. */
  destroy(): Promise<void>;
}

const MARIADBD_CANDIDATES = ['/usr/sbin/mariadbd', '/usr/bin/mariadbd', '/usr/sbin/mysqld'];
const INSTALL_DB_CANDIDATES = ['/usr/bin/mariadb-install-db', '/usr/bin/mysql_install_db'];

async function firstExecutable(paths: string[]): Promise<string | undefined> {
  for (const p of paths) {
    try {
      await access(p, fsConstants.X_OK);
      return p;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

// Running servers, killed if the test process exits without cleaning up.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export async function startMariaDb(options: MariaDbOptions = {}): Promise<MariaDbServer> {
  const mariadbd = await firstExecutable(MARIADBD_CANDIDATES);
  const installDb = await firstExecutable(INSTALL_DB_CANDIDATES);
  if (mariadbd === undefined || installDb === undefined) {
    throw new Error('mariadbd / mariadb-install-db not found: install mariadb-server (apt-get install -y mariadb-server)');
  }
  const database = options.database ?? 'smartshop';
  const user = options.user ?? 'smartshop';
  const password = options.password ?? 'smartshop-test';
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const dir = await mkdtemp(join(tmpdir(), 'smartshop-mariadb-'));
  const dataDir = join(dir, 'data');
  const rootSocket = join(dir, 'mysqld.sock');
  const errorLog = join(dir, 'error.log');
  const port = options.port ?? (await freePort());

  await execFileAsync(
    installDb,
    ['--no-defaults', `--datadir=${dataDir}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'],
    { timeout: 60_000 },
  ).catch((err: unknown) => {
    throw new Error(`mariadb-install-db failed: ${err instanceof Error ? err.message : String(err)}`);
  });

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const args = [
    '--no-defaults',
    '--user=root',
    `--datadir=${dataDir}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${rootSocket}`,
    `--pid-file=${join(dir, 'mysqld.pid')}`,
    `--log-error=${errorLog}`,
    '--skip-name-resolve',
    // Small and fast: tests need speed, not durability.
    '--innodb-buffer-pool-size=128M',
    '--innodb-log-file-size=64M',
    '--innodb-flush-log-at-trx-commit=2',
    '--sync-binlog=0',
    '--max-connections=500',
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_unicode_ci',
    ...(options.extraArgs ?? []),
  ];

  // How much of mariadbd's error log a start failure shows (MARIADB_LOG_LINES, default 15).
  async function errorLogTail(): Promise<string> {
    const text = await readFile(errorLog, 'utf8').catch(() => '');
    return text.split('\n').slice(-(Number(process.env.MARIADB_LOG_LINES) || 15)).join('\n');
  }

  async function rootConnection(): Promise<mysql.Connection> {
    return mysql.createConnection({ socketPath: rootSocket, user: 'root', connectTimeout: 2_000 });
  }

  async function start(): Promise<void> {
    if (child !== undefined) return;
    const proc = spawn(mariadbd as string, args, { stdio: 'ignore' });
    child = proc;
    live.add(proc);
    let exitCode: number | null | undefined;
    exited = new Promise((resolve) => {
      proc.once('exit', (code) => {
        exitCode = code;
        live.delete(proc);
        if (child === proc) child = undefined;
        resolve();
      });
    });
    const deadline = Date.now() + startTimeoutMs;
    for (let attempt = 0; Date.now() < deadline && attempt < 1_000; attempt++) {
      if (exitCode !== undefined) {
        throw new Error(`mariadbd exited with code ${String(exitCode)} while starting:\n${await errorLogTail()}`);
      }
      try {
        const conn = await rootConnection();
        await conn.query('SELECT 1');
        await conn.end();
        return;
      } catch {
        await sleep(100);
      }
    }
    proc.kill('SIGKILL');
    throw new Error(`mariadbd did not answer within ${startTimeoutMs} ms:\n${await errorLogTail()}`);
  }

  async function stop(): Promise<void> {
    const proc = child;
    if (proc === undefined) return;
    proc.kill('SIGTERM');
    const killed = await Promise.race([exited.then(() => true), sleep(20_000).then(() => false)]);
    if (!killed) {
      proc.kill('SIGKILL');
      await exited;
    }
  }

  try {
    await start();
    if (options.setup !== false) await setUp();
  } catch (err) {
    await stop();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  async function setUp(): Promise<void> {
    const admin = await rootConnection();
    try {
      await admin.query(`CREATE DATABASE IF NOT EXISTS \`${database}\``);
      await admin.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [user, '%', password]);
      await admin.query(`GRANT ALL PRIVILEGES ON \`${database}\`.* TO ?@?`, [user, '%']);
    } finally {
      await admin.end();
    }
  }

  return {
    connection: { host: '127.0.0.1', port, user, password, database },
    rootSocket,
    dataDir,
    get running() {
      return child !== undefined;
    },
    start,
    stop,
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    rootConnection,
    async destroy() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
