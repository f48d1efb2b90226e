// Point-in-time restore's first half: where the roll-forward starts and stops, settled from
// the backup node's binary logs while the lab still runs, so a restore that cannot reach
// the point asked for refuses before anything is stopped or deleted.
// The backup's position (file:offset, mariadb-backup's binlog info) is in that node's own
// logs; each node logs the whole cluster (log_slave_updates), but at offsets of its own.
// When the node's logs are gone (its disk lost, or rebuilt since), the backup service's
// archive of them serves instead (binlog-archive.ts).
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { type LabContainer, type Target } from '../lab/index.ts';
import { backupsDir } from '../lab/paths.ts';
import { ARCHIVE_FOLDER, historyFor } from './binlog-archive.ts';
import { runNodeImageScript } from './source.ts';
import { BackupError, type BackupManifest } from './manifest.ts';

/** Where to stop: a time (events from then on are left out) or just before a statement. */
export type StopPoint = { until: Date } | { before: string };

export interface RollForward {
  /** host folder holding the copies of the node's closed binary logs */
  binlogs: string;
  /** file:offset the backup is at */
  start: string;
  /** stop before the transaction at file:offset (--before) */
  stopPosition?: string;
  /** stop at this UTC time, as mariadb-binlog takes it (--until) */
  stopDatetime?: string;
  /** for the plan and the log */
  describe: string;
}

/** Runs one action of mariadb/binlog-pitr.sh in a helper of the nodes' image; its stdout. */
async function pitrHelper(target: Target, args: string[], spec: { volumesFrom?: LabContainer; binds: string[]; env?: string[] }): Promise<string> {
  const r = await runNodeImageScript(target, 'binlog-pitr.sh', args, spec);
  if (r.exitCode !== 0) throw new BackupError(`${r.stderr.trim().split('\n').slice(-4).join('\n') || `binlog-pitr.sh ${args[0]} exited ${r.exitCode}`}`);
  return r.stdout;
}

/** "2026-12-02 19:20:01": the form mariadb-binlog's --stop-datetime reads (the helper runs in UTC). */
export function binlogDatetime(at: Date): string {
  return at.toISOString().slice(0, 19).replace('T', ' ');
}

/** The position of the first transaction after the backup's position whose statement matches, from `find`'s line. */
export function parseStop(line: string): { file: string; position: number; at: string; statement: string } {
  const [kind, file, position, stamp, ...statement] = line.trim().split('\t');
  if (kind !== 'stop' || !file || !/^\d+$/.test(position ?? '') || !stamp) throw new BackupError(`unexpected answer from binlog-pitr.sh find: ${line.trim()}`);
  const m = /^#(\d\d)(\d\d)(\d\d) +(\d?\d:\d\d:\d\d)$/.exec(stamp);
  const at = m ? `20${m[1]}-${m[2]}-${m[3]}T${(m[4] ?? '').padStart(8, '0')}Z` : stamp;
  return { file, position: Number(position), at, statement: statement.join('\t').trim() };
}

/** A backup with a binary log position: the only kind a roll-forward starts from. */
type Positioned = BackupManifest & { binlog: NonNullable<BackupManifest['binlog']> };

/**
 * The backup node's own closed binary logs (after FLUSH BINARY LOGS, so everything up to now
 * is closed) copied into `into`, checked to be the history the backup belongs to. Throws
 * BackupError when they cannot serve (the node down, emptied, or rebuilt since).
 */
async function fromNode(target: Target, m: Positioned, into: string): Promise<string> {
  const node = await target.find(m.node);
  if (node.state !== 'running') throw new BackupError(`${m.node}, whose binary logs the backup's position refers to, is ${node.state}`);
  const flushed = await target.exec(node, ['mariadb', '-e', 'FLUSH BINARY LOGS']);
  if (flushed.exitCode !== 0) throw new BackupError(`FLUSH BINARY LOGS on ${m.node} failed: ${flushed.stderr.trim()}`);
  await pitrHelper(target, ['copy'], { volumesFrom: node, binds: [`${into}:/out`] });
  await checkHistory(target, m, into);
  return `${m.node}'s binary logs`;
}

/**
 * The same from the backup service's archive (binlog-archive.ts), for a node whose own logs
 * are gone: only what the stream had received, so the RPO is its lag.
 */
async function fromArchive(target: Target, m: Positioned, into: string): Promise<string> {
  const archive = join(backupsDir(target.project), ARCHIVE_FOLDER);
  const history = await historyFor(archive, m.binlog.file, new Date(m.finishedAt));
  if (!history) throw new BackupError(`the binlog archive (${archive}) holds no ${m.binlog.file} from before the backup finished (the backup service was not streaming then, or BINLOG_ARCHIVE=off)`);
  for (const f of history.files) await copyFile(join(history.dir, f), join(into, f));
  await checkHistory(target, m, into);
  return `${m.node}'s binary logs as the backup service archived them (${ARCHIVE_FOLDER}/${basename(history.dir)}, up to the stream's last event)`;
}

// mariadb-backup rotates the log as it starts: the file begins during the backup, not before it
async function checkHistory(target: Target, m: Positioned, copies: string): Promise<void> {
  await pitrHelper(target, ['check', m.binlog.file, String(Math.ceil(Date.parse(m.finishedAt) / 1000))], { binds: [`${copies}:/binlogs:ro`] });
}

/**
 * The logs the backup is rolled forward with, copied beside the backups, and the stop
 * settled: the node's own (every event), else the backup service's archive (what it had
 * streamed). Throws BackupError, with the copies removed, when neither can serve.
 */
export async function planRollForward(target: Target, root: string, m: BackupManifest, stop: StopPoint, now = new Date()): Promise<RollForward> {
  if (!m.binlog) throw new BackupError(`backup ${m.id} has no binary log position (its node had log_bin off then): it restores to its own time only, without --until or --before`);
  const withPosition = { ...m, binlog: m.binlog };
  if ('until' in stop) {
    if (stop.until.getTime() > now.getTime()) throw new BackupError(`--until ${stop.until.toISOString()} is in the future`);
    if (stop.until.getTime() < Date.parse(m.finishedAt)) throw new BackupError(`--until ${stop.until.toISOString()} is before the backup finished (${m.finishedAt}): restore an older backup`);
  }
  const binlogs = join(root, `.binlogs-${now.toISOString().replace(/[:.]/g, '-')}`);
  const fresh = async (): Promise<void> => {
    await rm(binlogs, { recursive: true, force: true });
    await mkdir(binlogs, { recursive: true, mode: 0o700 });
  };
  try {
    await fresh();
    const source = await fromNode(target, withPosition, binlogs).catch(async (own: Error) => {
      await fresh();
      return fromArchive(target, withPosition, binlogs).catch((archived: Error) => {
        throw new BackupError(`no binary logs to roll backup ${m.id} forward with: ${own.message}; and ${archived.message}. Restore it without --until/--before (the backup alone)`);
      });
    });
    const start = `${m.binlog.file}:${m.binlog.position}`;
    if ('until' in stop) {
      const stopDatetime = binlogDatetime(stop.until);
      return { binlogs, start, stopDatetime, describe: `rolled forward with ${source} from ${start} to ${stop.until.toISOString()} (writes from then on are not brought back)` };
    }
    const found = parseStop(await pitrHelper(target, ['find', m.binlog.file, String(m.binlog.position), stop.before], { binds: [`${binlogs}:/binlogs:ro`] }));
    return {
      binlogs, start, stopPosition: `${found.file}:${found.position}`,
      describe: `rolled forward with ${source} from ${start} to just before \`${found.statement.slice(0, 80)}\` (${found.at}, ${found.file}:${found.position})`,
    };
  } catch (e) {
    await rm(binlogs, { recursive: true, force: true });
    throw e;
  }
}

/** The environment that makes backup-restore.sh roll the backup forward. */
export function rollForwardEnv(r: RollForward): string[] {
  return [`PITR_START=${r.start}`, r.stopPosition ? `PITR_STOP_POSITION=${r.stopPosition}` : `PITR_STOP_DATETIME=${r.stopDatetime ?? ''}`];
}
