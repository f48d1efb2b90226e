// The stack's backup service (`backup` in docker-compose.yml): a physical backup of one Galera
// node every BACKUP_INTERVAL_SECONDS (hourly in the lab), taken, opened, kept and exported
// exactly as `smartshop backup create` does (create.ts), from inside the lab (source.ts):
// the node's data volume read-only, a narrow SQL account, no Docker socket.
//   node dist/backup/service.js
// A failed backup is retried sooner than an interval, and the schedule survives restarts:
// the next backup is due an interval after the newest one in the folder. Beside the schedule,
// and with none, the node's binary log is streamed into <backups>/binlogs (binlog-archive.ts)
// unless BINLOG_ARCHIVE=off: a restore after the node's disks are lost is rolled forward with it.
import { lchown, lstat, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { bool, ConfigError, int, str } from '../shared/env.ts';
import { createBackup, exportBackupState, lastFailureAt } from './create.ts';
import { parseBackupInterval } from '../lab/index.ts';
import { listBackups, type BackupManifest } from './manifest.ts';
import { localSource, writeAccountFile, type BackupSource, type LocalSourceOptions } from './source.ts';
import { ARCHIVE_FOLDER, runArchiver } from './binlog-archive.ts';

type Env = Record<string, string | undefined>;

export interface ServiceConfig {
  project: string;
  node: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** 0: no schedule (the service only archives the binary log) */
  intervalSeconds: number;
  /** stream the node's binary log into <root>/binlogs */
  archiveBinlogs: boolean;
  /** after a failure, the next attempt (at most an interval) */
  retrySeconds: number;
  /** after a start, before a first (or an overdue) backup: the lab settles */
  firstDelaySeconds: number;
  /** how long a backup waits for its node to be Synced before it is attempted anyway */
  waitSeconds: number;
  keep: number;
  root: string;
  metricsDir: string;
}

export function serviceConfig(env: Env): ServiceConfig {
  const password = str(env, 'BACKUP_PASSWORD', '');
  if (password === '') throw new ConfigError('BACKUP_PASSWORD is not set: `make up` writes MARIADB_BACKUP_PASSWORD into .env and compose passes it');
  const intervalSeconds = parseBackupInterval(env);
  return {
    project: str(env, 'COMPOSE_PROJECT_NAME', 'smartshop'),
    node: str(env, 'BACKUP_NODE', 'mariadb-3'),
    port: int(env, 'BACKUP_NODE_PORT', 3306, 1, 65_535),
    user: str(env, 'BACKUP_USER', 'backup'),
    password,
    database: str(env, 'DB_NAME', 'smartshop'),
    intervalSeconds,
    archiveBinlogs: bool(env, 'BINLOG_ARCHIVE', true),
    retrySeconds: Math.min(intervalSeconds, int(env, 'BACKUP_RETRY_SECONDS', 300, 10, 86_400)),
    firstDelaySeconds: int(env, 'BACKUP_FIRST_DELAY_SECONDS', 30, 0, 86_400),
    waitSeconds: int(env, 'BACKUP_WAIT_SECONDS', 600, 0, 86_400),
    keep: int(env, 'BACKUP_KEEP', 7, 1, 1000),
    root: str(env, 'BACKUP_ROOT', '/backups'),
    metricsDir: str(env, 'BACKUP_TEXTFILE_DIR', '/textfile'),
  };
}

/**
 * When the next backup is due (ms since the epoch): an interval after the newest finished
 * one, but never sooner than the first delay from now; after a failure newer than the
 * newest backup, a retry after retrySeconds.
 */
export function nextBackupAt(now: number, c: Pick<ServiceConfig, 'intervalSeconds' | 'retrySeconds' | 'firstDelaySeconds'>, newest?: number, lastFailure?: number): number {
  const soonest = now + c.firstDelaySeconds * 1000;
  if (lastFailure !== undefined && (newest === undefined || lastFailure > newest)) return Math.max(soonest, lastFailure + c.retrySeconds * 1000);
  return newest === undefined ? soonest : Math.max(soonest, newest + c.intervalSeconds * 1000);
}

/**
 * The newest backup of the cluster the node is in now: one of an earlier cluster (its volumes
 * deleted since, `make down ARGS=--volumes`) does not stand for this one. Unknown cluster: the newest.
 */
export function newestOf(backups: readonly BackupManifest[], clusterUuid: string | undefined): BackupManifest | undefined {
  return clusterUuid ? backups.filter((m) => m.galera?.uuid === clusterUuid).at(-1) : backups.at(-1);
}

/**
 * What the service wrote (as root in its container) given to whoever owns the folder on
 * the host: `smartshop backup list`, verify and retention run there as that user.
 */
async function giveToFolderOwner(dir: string): Promise<void> {
  const { uid, gid } = await stat(dir);
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const st = await lstat(path);
      if (st.uid !== uid || st.gid !== gid) await lchown(path, uid, gid);
      if (entry.isDirectory()) await walk(path);
    }
  };
  await walk(dir);
}

async function run(c: ServiceConfig): Promise<void> {
  const log = pino({ base: { service: 'smartshop-backup' }, redact: ['password', '*.password'] });
  const stopped = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stopped.abort());
  const account = { project: c.project, node: c.node, port: c.port, user: c.user, password: c.password };
  // one option file for the archiver and the backups, removed when the service stops (it
  // lives in the container's /tmp, 0600, but a password on disk stays no longer than needed)
  const defaults = await writeAccountFile(account);
  try {
    await schedule(c, account, defaults, stopped.signal, log);
  } finally {
    await rm(dirname(defaults), { recursive: true, force: true });
  }
}

async function schedule(c: ServiceConfig, account: LocalSourceOptions, defaults: string, stopped: AbortSignal, log: Logger): Promise<void> {
  const archiving = c.archiveBinlogs ? archive(c, defaults, stopped, log) : Promise.resolve();
  if (c.intervalSeconds === 0) {
    log.info('BACKUP_INTERVAL_SECONDS=0: no scheduled backups (`smartshop backup create` takes one by hand)');
    // a pending promise alone does not keep Node running: without this the service would exit, and be restarted, in a loop
    const alive = setInterval(() => undefined, 3600_000);
    await new Promise<void>((resolve) => stopped.addEventListener('abort', () => resolve()));
    clearInterval(alive);
    await archiving;
    return;
  }
  const handOver = (): Promise<void> => Promise.all([c.root, c.metricsDir].map(giveToFolderOwner)).then(
    () => undefined, (e: Error) => log.warn(`could not give the backups to their folder's owner: ${e.message}`));
  await handOver();
  const source = localSource(account, defaults);
  const kept = await listBackups(c.root);
  // a lab with backups says so at once (and its schedule); a new one only after its first attempt,
  // so that BackupTooOld does not read "attempted, none succeeded" into a lab that has not tried yet
  if (kept.length > 0) await exportBackupState(c);
  const node = await untilBackupable(source, c.waitSeconds * 1000, stopped, log);
  const newest = newestOf(kept, node?.clusterUuid);
  let due = nextBackupAt(Date.now(), c, newest && Date.parse(newest.finishedAt), (await lastFailureAt(c.root))?.getTime());
  log.info({ node: c.node, intervalSeconds: c.intervalSeconds, keep: c.keep, next: new Date(due).toISOString(), kept: kept.length },
    `backing up ${c.node} every ${c.intervalSeconds} s into ${c.root}, keeping ${c.keep}; next at ${new Date(due).toISOString()}`);
  while (!stopped.aborted) {
    await sleepUntil(due, stopped);
    if (stopped.aborted) break;
    await untilBackupable(source, c.waitSeconds * 1000, stopped, log);
    if (stopped.aborted) break;
    try {
      const m = await createBackup({
        source, root: c.root, kind: 'physical', database: c.database, keep: c.keep, intervalSeconds: c.intervalSeconds,
        metricsDir: c.metricsDir, signal: stopped, log: (line) => log.info(line.replace(/^(==>|\s+)\s*/, '')),
      });
      due = nextBackupAt(Date.now(), c, Date.parse(m.finishedAt));
    } catch (e) {
      if (stopped.aborted) break;
      due = nextBackupAt(Date.now(), c, undefined, Date.now());
      log.error({ err: (e as Error).message, retryAt: new Date(due).toISOString() }, `backup failed: ${(e as Error).message}`);
    }
    await handOver();
    log.info({ next: new Date(due).toISOString() }, `next backup at ${new Date(due).toISOString()}`);
  }
  await archiving;
  log.info('stopped (a backup cut short leaves no folder behind)');
}

/** The binary-log archive, as long as the service runs; its failures are logged, never the service's end. */
async function archive(c: ServiceConfig, defaultsFile: string, signal: AbortSignal, log: Logger): Promise<void> {
  const { uid, gid } = await stat(c.root);
  await runArchiver({
    node: c.node, defaultsFile, volume: '/var/lib/mysql', archive: join(c.root, ARCHIVE_FOLDER), owner: { uid, gid }, signal,
    oldestBackupStart: async () => {
      const oldest = (await listBackups(c.root))[0];
      return oldest && Date.parse(oldest.startedAt);
    },
    log: { info: (o, msg) => log.info(o, msg), error: (o, msg) => log.error(o, msg) },
  }).catch((e: Error) => log.error({ err: e.message }, `binlog archive stopped: ${e.message}`));
}

/**
 * A node still joining (the lab just started) or away for a moment is waited for, up to a
 * bound, before the attempt counts: a failure is what a backup that could not be taken is,
 * not a node that is a minute late.
 */
async function untilBackupable(source: BackupSource, boundMs: number, signal: AbortSignal, log: Logger): Promise<{ clusterUuid?: string } | undefined> {
  const deadline = Date.now() + boundMs;
  let said = false;
  while (!signal.aborted && Date.now() < deadline) {
    try {
      return await source.prepare();
    } catch (e) {
      if (!said) log.info(`waiting up to ${Math.round(boundMs / 1000)} s for ${source.node}: ${(e as Error).message}`);
      said = true;
      await sleepUntil(Math.min(deadline, Date.now() + 5_000), signal);
    }
  }
  return undefined;
}

function sleepUntil(at: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    // setTimeout's bound is about 24.8 days; the interval is at most 31 days, so wake and look again
    const timer = setTimeout(done, Math.min(Math.max(0, at - Date.now()), 2 ** 31 - 1));
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  }).then(() => (Date.now() < at && !signal.aborted ? sleepUntil(at, signal) : undefined));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    await run(serviceConfig(process.env));
  } catch (e) {
    console.error(JSON.stringify({ level: 60, service: 'smartshop-backup', msg: (e as Error).message }));
    process.exit(e instanceof ConfigError ? 2 : 1);
  }
}
