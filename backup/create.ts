// `smartshop backup create`: one backup of one Galera node, taken without blocking the shop,
// then opened in a throw-away server to learn what it holds (rows and checksums per table)
// before it is listed. Physical: `mariadb-backup --backup --galera-info --stream`; logical:
// `mariadb-dump --single-transaction`. Where they run is the source's business (source.ts):
// the node's container from the host, or the stack's backup service itself.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BackupError, describeFile, listBackups, MANIFEST, PAYLOAD, parseInspectOutput, pruneBackups, type BackupKind, type BackupManifest,
} from './manifest.ts';
import { recordBackupMetrics } from './metrics.ts';
import type { BackupSource, BackupTool } from './source.ts';

const FAILURE_FILE = '.last-failure.json';

export interface CreateOptions {
  source: BackupSource;
  /** folder of all backups (lab's backupsDir) */
  root: string;
  kind: BackupKind;
  database: string;
  /** backups kept after this one (older ones removed) */
  keep: number;
  /** the schedule's interval, exported beside the result (the backup service passes it) */
  intervalSeconds?: number;
  /** write smartshop_backup.prom (default); a drill's own backups do not speak for the lab's */
  exportMetrics?: boolean;
  /** the textfile collector's folder (default: the lab's on the host) */
  metricsDir?: string;
  /** cuts the backup short (the backup service stopping): its folder is removed, no failure recorded */
  signal?: AbortSignal;
  /** upper bound for taking the backup and for opening it, each */
  timeoutMs?: number;
  log: (line: string) => void;
}

function backupCommand(kind: BackupKind, database: string, logBin: boolean): [BackupTool, string[]] {
  if (kind === 'physical') return ['mariadb-backup', ['--backup', '--galera-info', '--stream=mbstream', '--target-dir=/tmp']];
  // --master-data=2 writes the binlog position as a comment; it needs the binary log on
  return ['mariadb-dump', ['--single-transaction', '--routines', '--triggers', '--events', '--hex-blob',
    ...(logBin ? ['--master-data=2', '--gtid'] : []), '--databases', database]];
}

const tail = (text: string, lines = 8): string => text.trim().split('\n').slice(-lines).join('\n');

export async function createBackup(o: CreateOptions): Promise<BackupManifest> {
  const started = new Date();
  const id = `${started.toISOString().replace(/[:.]/g, '-')}-${o.kind}`;
  const partial = join(o.root, `${id}.partial`);
  const timeoutMs = o.timeoutMs ?? 30 * 60_000;
  try {
    const { node } = o.source;
    const { logBin } = await o.source.prepare();
    await mkdir(partial, { recursive: true, mode: 0o700 });
    o.log(`==> ${o.kind} backup of ${node} (${o.kind === 'physical' ? 'mariadb-backup, non-blocking' : 'mariadb-dump --single-transaction'}) into ${partial}`);
    const [tool, args] = backupCommand(o.kind, o.database, logBin);
    const taken = await o.source.take(tool, args, join(partial, PAYLOAD[o.kind]), timeoutMs, o.signal);
    if (taken.exitCode !== 0) throw new BackupError(`${tool} on ${node} exited ${taken.exitCode}:\n${tail(taken.stderr)}`);
    o.log(`    ${(taken.bytes / 1e6).toFixed(1)} MB taken in ${((Date.now() - started.getTime()) / 1000).toFixed(1)} s; opening it in a throw-away server`);

    const opened = await o.source.open(o.kind, o.database, partial, timeoutMs, o.signal);
    if (opened.exitCode !== 0) throw new BackupError(`the backup does not open in a throw-away server (exit ${opened.exitCode}):\n${tail(opened.stderr)}`);
    const content = parseInspectOutput(opened.stdout);
    if (content.tables.length === 0) throw new BackupError(`the backup holds no table of ${o.database}: ${tail(opened.stderr || opened.stdout)}`);

    const files = [await describeFile(partial, PAYLOAD[o.kind])];
    const finished = new Date();
    const manifest: BackupManifest = {
      format: 1,
      id,
      kind: o.kind,
      project: o.source.project,
      node,
      database: o.database,
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      durationSeconds: Math.round((finished.getTime() - started.getTime()) / 100) / 10,
      ...content,
      sizeBytes: files.reduce((n, f) => n + f.bytes, 0),
      files,
    };
    await writeFile(join(partial, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    await rename(partial, join(o.root, id));
    const removed = await pruneBackups(o.root, o.keep);
    if (removed.length) o.log(`    retention (keep ${o.keep}): removed ${removed.join(', ')}`);
    if (o.exportMetrics !== false) await exportBackupState({ ...o, project: o.source.project });
    o.log(`==> backup ${id}: ${manifest.tables.length} tables, ${manifest.tables.reduce((n, t) => n + t.rows, 0)} rows, ${(manifest.sizeBytes / 1e6).toFixed(1)} MB in ${manifest.durationSeconds} s` +
      `${manifest.galera ? `, Galera position ${manifest.galera.uuid}:${manifest.galera.seqno}` : ''}`);
    return manifest;
  } catch (e) {
    await rm(partial, { recursive: true, force: true }).catch(() => undefined);
    if (o.signal?.aborted) throw e;
    await mkdir(o.root, { recursive: true }).catch(() => undefined);
    // written whole or not at all: a half-written note once crash-looped the service
    const note = join(o.root, FAILURE_FILE);
    await writeFile(`${note}.tmp`, JSON.stringify({ at: new Date().toISOString(), reason: (e as Error).message }))
      .then(() => rename(`${note}.tmp`, note)).catch(() => undefined);
    if (o.exportMetrics !== false) await exportBackupState({ ...o, project: o.source.project }, new Date()).catch(() => undefined);
    throw e;
  }
}

/** When the last backup failed, from the note a failure leaves in the backups folder. */
export async function lastFailureAt(root: string): Promise<Date | undefined> {
  const text = await readFile(join(root, FAILURE_FILE), 'utf8').catch(() => undefined);
  let at = NaN;
  try {
    const note = text === undefined ? undefined : (JSON.parse(text) as { at?: unknown } | null);
    if (typeof note?.at === 'string') at = Date.parse(note.at);
  } catch {
    // a note that is not JSON (an older version's torn write) says nothing of when
  }
  return Number.isNaN(at) ? undefined : new Date(at);
}

/** The metrics from what is on disk: the newest backup, how many, the last failure. */
export async function exportBackupState(
  o: Pick<CreateOptions, 'root' | 'intervalSeconds' | 'metricsDir'> & { project: string }, failedNow?: Date,
): Promise<void> {
  const all = await listBackups(o.root);
  const failure = failedNow ?? await lastFailureAt(o.root);
  await recordBackupMetrics(o.project, { last: all.at(-1), kept: all.length, lastFailureAt: failure, intervalSeconds: o.intervalSeconds }, o.metricsDir);
}
