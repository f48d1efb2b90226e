// `smartshop backup create`: one backup of one Galera node, taken without blocking the shop,
// then opened in a throw-away server to learn what it holds (rows and checksums per table)
// before it is listed. Physical: `mariadb-backup --backup --galera-info --stream` run in the
// node's container, its stream written to the host; logical: `mariadb-dump
// --single-transaction`. The root account is the node's own (unix socket inside the
// container): no password travels, and none is written into the backup folder.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Target } from '../lab/index.ts';
import {
  BackupError, describeFile, listBackups, MANIFEST, PAYLOAD, parseInspectOutput, pruneBackups, type BackupKind, type BackupManifest,
} from './manifest.ts';
import { recordBackupMetrics } from './metrics.ts';

/** The image the backup is opened with: the nodes' own, so server and tool match theirs. */
export const INSPECT_IMAGE = 'smartshop/mariadb:local';
const FAILURE_FILE = '.last-failure.json';

export interface CreateOptions {
  target: Target;
  /** folder of all backups (lab's backupsDir) */
  root: string;
  kind: BackupKind;
  node: string;
  database: string;
  /** backups kept after this one (older ones removed) */
  keep: number;
  /** the schedule's interval, exported beside the result (the backup service passes it) */
  intervalSeconds?: number;
  /** write smartshop_backup.prom (default); a drill's own backups do not speak for the lab's */
  exportMetrics?: boolean;
  /** upper bound for taking the backup and for opening it, each */
  timeoutMs?: number;
  log: (line: string) => void;
}

function backupCommand(kind: BackupKind, database: string, logBin: boolean): string[] {
  if (kind === 'physical') return ['mariadb-backup', '--backup', '--galera-info', '--stream=mbstream', '--target-dir=/tmp', '--user=root'];
  // --master-data=2 writes the binlog position as a comment; it needs the binary log on
  return ['mariadb-dump', '--single-transaction', '--routines', '--triggers', '--events', '--hex-blob',
    ...(logBin ? ['--master-data=2', '--gtid'] : []), '--databases', database];
}

const tail = (text: string, lines = 8): string => text.trim().split('\n').slice(-lines).join('\n');

export async function createBackup(o: CreateOptions): Promise<BackupManifest> {
  const started = new Date();
  const id = `${started.toISOString().replace(/[:.]/g, '-')}-${o.kind}`;
  const partial = join(o.root, `${id}.partial`);
  const timeoutMs = o.timeoutMs ?? 30 * 60_000;
  try {
    const node = await o.target.find(o.node);
    if (node.state !== 'running') throw new BackupError(`${o.node} is ${node.state}: a backup needs a running node (\`smartshop stack status\`)`);
    await mkdir(partial, { recursive: true, mode: 0o700 });
    const logBin = (await o.target.exec(node, ['mariadb', '-N', '-B', '-e', 'SELECT @@log_bin'])).stdout.trim() === '1';
    o.log(`==> ${o.kind} backup of ${o.node} (${o.kind === 'physical' ? 'mariadb-backup, non-blocking' : 'mariadb-dump --single-transaction'}) into ${partial}`);
    const taken = await o.target.execToFile(node, backupCommand(o.kind, o.database, logBin), join(partial, PAYLOAD[o.kind]), timeoutMs);
    if (taken.exitCode !== 0) throw new BackupError(`${backupCommand(o.kind, o.database, logBin)[0]} on ${o.node} exited ${taken.exitCode}:\n${tail(taken.stderr)}`);
    o.log(`    ${(taken.bytes / 1e6).toFixed(1)} MB taken in ${((Date.now() - started.getTime()) / 1000).toFixed(1)} s; opening it in a throw-away server`);

    const outdated = new BackupError(`${INSPECT_IMAGE} has no backup-inspect.sh: it predates backups. Rebuild it with \`make up\` (or \`docker compose build mariadb-1\`)`);
    const opened = await o.target.runHelper({
      image: INSPECT_IMAGE,
      entrypoint: ['/usr/local/bin/backup-inspect.sh'],
      cmd: [o.kind, o.database],
      binds: [`${partial}:/backup:ro`],
    }, timeoutMs).catch((e: Error) => {
      // the engine refuses to start a container whose entrypoint is missing
      throw /no such file|not found/i.test(e.message) ? outdated : e;
    });
    if (opened.exitCode === 127) throw outdated;
    if (opened.exitCode !== 0) throw new BackupError(`the backup does not open in a throw-away server (exit ${opened.exitCode}):\n${tail(opened.stderr)}`);
    const content = parseInspectOutput(opened.stdout);
    if (content.tables.length === 0) throw new BackupError(`the backup holds no table of ${o.database}: ${tail(opened.stderr || opened.stdout)}`);

    const files = [await describeFile(partial, PAYLOAD[o.kind])];
    const finished = new Date();
    const manifest: BackupManifest = {
      format: 1,
      id,
      kind: o.kind,
      project: o.target.project,
      node: o.node,
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
    if (o.exportMetrics !== false) await exportState(o, undefined);
    o.log(`==> backup ${id}: ${manifest.tables.length} tables, ${manifest.tables.reduce((n, t) => n + t.rows, 0)} rows, ${(manifest.sizeBytes / 1e6).toFixed(1)} MB in ${manifest.durationSeconds} s` +
      `${manifest.galera ? `, Galera position ${manifest.galera.uuid}:${manifest.galera.seqno}` : ''}`);
    return manifest;
  } catch (e) {
    await rm(partial, { recursive: true, force: true }).catch(() => undefined);
    await mkdir(o.root, { recursive: true }).catch(() => undefined);
    await writeFile(join(o.root, FAILURE_FILE), JSON.stringify({ at: new Date().toISOString(), reason: (e as Error).message })).catch(() => undefined);
    if (o.exportMetrics !== false) await exportState(o, new Date()).catch(() => undefined);
    throw e;
  }
}

/** The metrics from what is on disk: the newest backup, how many, the last failure. */
async function exportState(o: CreateOptions, failedNow: Date | undefined): Promise<void> {
  const all = await listBackups(o.root);
  const failure = failedNow ?? await readFile(join(o.root, FAILURE_FILE), 'utf8')
    .then((t) => new Date((JSON.parse(t) as { at: string }).at), () => undefined);
  await recordBackupMetrics(o.target.project, { last: all.at(-1), kept: all.length, lastFailureAt: failure, intervalSeconds: o.intervalSeconds });
}
