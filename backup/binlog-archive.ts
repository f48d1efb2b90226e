// The backup node's binary logs kept off the node: the backup service streams them, as the
// node writes them, into the lab's backups folder (binlogs/<history>/mysql-bin.NNNNNN) with
// the replication protocol (`mariadb-binlog --read-from-remote-server --raw --stop-never`).
// A lost disk takes a node's own logs with it; with these, a restore after every volume was
// lost is still rolled forward (roll-forward.ts falls back to them), up to what the stream
// had received: its RPO is the stream's lag, not 0.
// A node rebuilt (by SST, or a restore) starts its logs again at mysql-bin.000001, so the
// same name can mean two files: each unbroken run of a node's logs is a "history" folder of
// its own, and a file is known by its first event (when and by which server it was created).
import { chown, open, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { runLocal } from './source.ts';

const BINLOG_FILE = /^mysql-bin\.\d{6}$/;
/** The folder beside the backups (`<backups>/binlogs`). */
export const ARCHIVE_FOLDER = 'binlogs';
/** Archived logs are kept at least this long, and longer while a kept backup needs them. */
export const ARCHIVE_KEEP_MS = 24 * 3600_000;

export interface BinlogFile {
  name: string;
  /** the magic and the first event's header up to its flags: its creation time and server */
  identity: string;
}

export interface History {
  /** the folder's name: when the archive began it (sorts in time) */
  name: string;
  /** the archived file names, in order */
  files: string[];
}

/**
 * A binary log's identity, or undefined when it is not one (yet). The header's flags are
 * left out: the server clears "in use" in the copy it sends of the file it is writing.
 */
export async function binlogIdentity(path: string): Promise<string | undefined> {
  const f = await open(path, 'r').catch(() => undefined);
  if (!f) return undefined;
  try {
    const head = Buffer.alloc(21);
    const { bytesRead } = await f.read(head, 0, 21, 0);
    return bytesRead === 21 && head.subarray(0, 4).equals(Buffer.from([0xfe, 0x62, 0x69, 0x6e])) ? head.toString('hex') : undefined;
  } finally {
    await f.close();
  }
}

/** The binary log names in a folder, in order (the numbers have a fixed width). */
async function binlogNames(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => BINLOG_FILE.test(n)).sort();
}

export async function readHistories(archive: string): Promise<History[]> {
  const entries = await readdir(archive, { withFileTypes: true }).catch(() => []);
  const folders = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(folders.map(async (name) => ({ name, files: await binlogNames(join(archive, name)) })));
}

const historyName = (at: Date): string => at.toISOString().replace(/[:.]/g, '-');

/**
 * Where the stream resumes: the newest history's last file again (it may have grown since)
 * when the node still has that very file; otherwise a new history from the node's oldest
 * file (the node was rebuilt, or logs expired while nothing was streaming: a gap). Undefined
 * when the node has no binary log.
 */
export function resumePoint(node: readonly BinlogFile[], newest: { name: string; last?: BinlogFile } | undefined, now: Date): { history: string; from: string; fresh: boolean } | undefined {
  const oldest = node[0];
  if (!oldest) return undefined;
  const last = newest?.last;
  if (newest && last && node.some((f) => f.name === last.name && f.identity === last.identity)) return { history: newest.name, from: last.name, fresh: false };
  // a history begun whose stream never received a file (refused, or the node went away at once)
  if (newest && !last) return { history: newest.name, from: oldest.name, fresh: true };
  return { history: historyName(now), from: oldest.name, fresh: true };
}

/**
 * The history a backup's position is in: one holding its file, begun (the file's creation)
 * no later than the backup's end; of those, the one whose file began last (an older history
 * reusing the name began earlier still). Undefined when none has it.
 */
export async function historyFor(archive: string, file: string, finishedAt: Date): Promise<{ dir: string; files: string[] } | undefined> {
  let best: { dir: string; files: string[]; began: number } | undefined;
  for (const h of await readHistories(archive)) {
    if (!h.files.includes(file)) continue;
    const dir = join(archive, h.name);
    const began = createdAt(await binlogIdentity(join(dir, file)));
    if (began === undefined || began > finishedAt.getTime()) continue;
    if (!best || began > best.began) best = { dir, files: h.files.filter((f) => f >= file), began };
  }
  return best && { dir: best.dir, files: best.files };
}

/** The creation time in an identity (the first event's timestamp, little-endian seconds), ms. */
export function createdAt(identity: string | undefined): number | undefined {
  if (!identity) return undefined;
  return Buffer.from(identity, 'hex').readUInt32LE(4) * 1000;
}

/**
 * Archived files no backup can need: last written before both the oldest kept backup began
 * and ARCHIVE_KEEP_MS ago. Empty histories go too. Returns what was removed.
 */
export async function pruneArchive(archive: string, oldestBackupStart: number | undefined, now: number): Promise<string[]> {
  const cutoff = Math.min(oldestBackupStart ?? Infinity, now - ARCHIVE_KEEP_MS);
  const removed: string[] = [];
  for (const h of await readHistories(archive)) {
    const dir = join(archive, h.name);
    let left = h.files.length;
    for (const f of h.files) {
      if ((await stat(join(dir, f))).mtimeMs >= cutoff) continue;
      await rm(join(dir, f));
      removed.push(`${h.name}/${f}`);
      left -= 1;
    }
    // a history this pass emptied goes; one that had no file yet (the archiver may have just
    // made it) only once it is older than the cutoff. (Its mtime cannot tell the first case:
    // removing the files above set it to now.)
    const emptiedHere = left === 0 && h.files.length > 0;
    if (left === 0 && (emptiedHere || (await stat(dir)).mtimeMs < cutoff)) await rm(dir, { recursive: true, force: true });
  }
  return removed;
}

export interface ArchiverOptions {
  node: string;
  /** the account's option file (source.ts writeAccountFile); needs REPLICATION SLAVE */
  defaultsFile: string;
  /** the node's data volume, read-only, where its own logs are */
  volume: string;
  /** the archive folder (<backups>/binlogs) */
  archive: string;
  /** who the archived files belong to (the backups folder's owner on the host, who restores from them) */
  owner: { uid: number; gid: number };
  /** the oldest kept backup's start, for pruning */
  oldestBackupStart: () => Promise<number | undefined>;
  signal: AbortSignal;
  log: { info: (o: object, msg: string) => void; error: (o: object, msg: string) => void };
}

/** A wait that the service's stop cuts short (and ends the loop). */
const pause = (ms: number, signal: AbortSignal): Promise<void> => delay(ms, undefined, { signal }).catch(() => undefined);

const RETRY_MIN_MS = 5_000;
const RETRY_MAX_MS = 60_000;
const STREAM_RAN_MS = 10_000;

/** What to tell the operator about a stream that ended, from mariadb-binlog's stderr. */
export function explainStreamEnd(stderr: string, node: string): string {
  const last = stderr.trim().split('\n').at(-1) ?? '';
  if (/REPLICATION SLAVE/i.test(stderr)) {
    return `the backup account may not read ${node}'s binary log (no REPLICATION SLAVE: its node was initialised before binary-log archiving); ` +
      '`make up` (`smartshop stack up`) grants it, and the stream starts by itself within a minute';
  }
  return last || 'the stream ended';
}

/**
 * Streams the node's binary log into the archive until the signal: resumed where it left
 * off after the node (or this service) was away, a new history when the node was rebuilt.
 */
export async function runArchiver(o: ArchiverOptions): Promise<void> {
  // the stream runs as the folder's owner, so the files it writes are theirs from the first byte
  for (const p of [dirname(o.defaultsFile), o.defaultsFile]) await chown(p, o.owner.uid, o.owner.gid);
  await mkdir(o.archive, { recursive: true, mode: 0o700 });
  await chown(o.archive, o.owner.uid, o.owner.gid);
  let wait = RETRY_MIN_MS;
  let lastSaid = '';
  while (!o.signal.aborted) {
    const removed = await pruneArchive(o.archive, await o.oldestBackupStart(), Date.now()).catch(() => []);
    if (removed.length > 0) o.log.info({ removed }, `binlog archive: removed ${removed.length} file(s) no kept backup needs`);
    const node = await Promise.all((await binlogNames(o.volume)).map(async (name) => ({ name, identity: await binlogIdentity(join(o.volume, name)) })));
    const known = node.filter((f): f is BinlogFile => f.identity !== undefined);
    const newest = (await readHistories(o.archive)).at(-1);
    const lastName = newest?.files.at(-1);
    const lastIdentity = newest && lastName ? await binlogIdentity(join(o.archive, newest.name, lastName)) : undefined;
    const at = resumePoint(known, newest && { name: newest.name, ...(lastName && lastIdentity ? { last: { name: lastName, identity: lastIdentity } } : {}) }, new Date());
    if (!at) {
      if (lastSaid !== 'none') o.log.info({}, `binlog archive: ${o.node} has no binary log yet; looking again every ${RETRY_MIN_MS / 1000} s`);
      lastSaid = 'none';
      await pause(RETRY_MIN_MS, o.signal);
      continue;
    }
    const folder = join(o.archive, at.history);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    await chown(folder, o.owner.uid, o.owner.gid);
    o.log.info({ history: at.history, from: at.from, fresh: at.fresh },
      `binlog archive: streaming ${o.node}'s binary log from ${at.from} into ${ARCHIVE_FOLDER}/${at.history}${at.fresh && lastName ? ` (a new history: ${o.node} no longer has ${lastName} as archived, it was rebuilt or the file expired)` : ''}`);
    const started = Date.now();
    const r = await runLocal('mariadb-binlog', [
      `--defaults-extra-file=${o.defaultsFile}`, '--read-from-remote-server', '--raw', '--stop-never', `--result-file=${folder}/`, at.from,
    ], { timeoutMs: Infinity, signal: o.signal, as: o.owner }).catch((e: Error) => ({ exitCode: -1, stdout: '', stderr: e.name === 'AbortError' ? '' : e.message, bytes: 0 }));
    if (o.signal.aborted) break;
    // a stream that ran a while was fine until its node went away: come back soon; one refused at once, less and less often
    wait = Date.now() - started > STREAM_RAN_MS ? RETRY_MIN_MS : Math.min(RETRY_MAX_MS, wait * 2);
    const why = explainStreamEnd(r.stderr, o.node);
    if (why !== lastSaid) o.log.error({ exitCode: r.exitCode, retryInMs: wait }, `binlog archive: the stream from ${o.node} ended (${why}); again in ${wait / 1000} s`);
    lastSaid = why;
    await pause(wait, o.signal);
  }
}
