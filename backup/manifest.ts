// A backup is a folder: the backup itself (backup.mbstream from mariadb-backup, or dump.sql
// from mariadb-dump) and manifest.json, which says what it holds and how to know it is
// intact. The folder appears under its final name only once the backup was taken, opened
// in a throw-away server and described (create.ts), so a listed backup is a usable one.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

export type BackupKind = 'physical' | 'logical';

export interface BackupFile {
  name: string;
  bytes: number;
  sha256: string;
}

export interface TableContent {
  name: string;
  rows: number;
  /** CHECKSUM TABLE of the table as the backup restores it */
  checksum: string;
}

export interface BackupManifest {
  format: 1;
  id: string;
  kind: BackupKind;
  project: string;
  /** the Galera node it was taken from */
  node: string;
  database: string;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  /** the cluster position the backup is at (physical: from --galera-info); null for a dump */
  galera: { uuid: string; seqno: number } | null;
  /** the node's binary log position at the backup's point, when the node had one */
  binlog: { file: string; position: number; gtid: string } | null;
  sizeBytes: number;
  files: BackupFile[];
  tables: TableContent[];
  versions: { server: string; tool: string };
}

export const MANIFEST = 'manifest.json';
export const PAYLOAD: Record<BackupKind, string> = { physical: 'backup.mbstream', logical: 'dump.sql' };

export class BackupError extends Error {}

/** What backup-inspect.sh printed (mariadb/backup-inspect.sh: tab-separated lines). */
export function parseInspectOutput(text: string): Pick<BackupManifest, 'galera' | 'binlog' | 'tables' | 'versions'> {
  const out: Pick<BackupManifest, 'galera' | 'binlog' | 'tables' | 'versions'> = { galera: null, binlog: null, tables: [], versions: { server: '', tool: '' } };
  for (const line of text.split('\n')) {
    const [kind, a = '', b = '', c = ''] = line.split('\t');
    if (kind === 'galera' && /^[0-9a-f-]{36}$/.test(a) && /^-?\d+$/.test(b)) out.galera = { uuid: a, seqno: Number(b) };
    else if (kind === 'binlog' && a !== '' && /^\d+$/.test(b)) out.binlog = { file: a, position: Number(b), gtid: c };
    else if (kind === 'table' && a !== '' && /^\d+$/.test(b)) out.tables.push({ name: a, rows: Number(b), checksum: c });
    else if (kind === 'version' && (a === 'server' || a === 'tool')) out.versions[a] = b;
  }
  return out;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function describeFile(dir: string, name: string): Promise<BackupFile> {
  const path = join(dir, name);
  return { name, bytes: (await stat(path)).size, sha256: await sha256File(path) };
}

/** Every file of the manifest, checked against the folder: a list of what does not match (empty = intact). */
export async function verifyBackupFiles(dir: string, manifest: BackupManifest): Promise<string[]> {
  const problems: string[] = [];
  for (const f of manifest.files) {
    const path = join(dir, f.name);
    const st = await stat(path).catch(() => undefined);
    if (!st) {
      problems.push(`${f.name}: missing`);
      continue;
    }
    if (st.size !== f.bytes) problems.push(`${f.name}: ${st.size} bytes, the manifest says ${f.bytes}`);
    else if ((await sha256File(path)) !== f.sha256) problems.push(`${f.name}: checksum mismatch (sha256 differs from the manifest's)`);
  }
  return problems;
}

/** A backup id, file or binary log name: one path segment of safe characters, never `.` or `..`. */
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** A database or table name as the lab makes them: used in SQL (backquoted) run as root. */
const SAFE_IDENTIFIER = /^[A-Za-z0-9_]{1,64}$/;

/**
 * The folder of backup `id` under `root`, refused unless `id` is one plain folder name: a
 * command line's `..` or `a/../../etc` must not reach outside the backups folder.
 */
export function backupFolder(root: string, id: string): string {
  if (!SAFE_NAME.test(id)) throw new BackupError(`"${id.slice(0, 80)}" is not a backup id (one of \`smartshop backup list\`)`);
  const dir = resolve(root, id);
  if (dirname(dir) !== resolve(root)) throw new BackupError(`"${id.slice(0, 80)}" is not inside the backups folder`);
  return dir;
}

/** What is wrong with a manifest's names before any of them is used in a path or in SQL. */
function manifestProblems(m: BackupManifest): string[] {
  const problems: string[] = [];
  if (m.format !== 1) problems.push(`format ${String(m.format)}`);
  if (typeof m.id !== 'string' || !SAFE_NAME.test(m.id)) problems.push('id is not a plain folder name');
  if (m.kind !== 'physical' && m.kind !== 'logical') problems.push(`kind ${String(m.kind)}`);
  if (typeof m.database !== 'string' || !SAFE_IDENTIFIER.test(m.database)) problems.push('database is not a plain identifier');
  if (!Array.isArray(m.files) || m.files.some((f) => typeof f.name !== 'string' || !SAFE_NAME.test(f.name))) problems.push('a file name is not one plain name');
  if (!Array.isArray(m.tables) || m.tables.some((t) => typeof t.name !== 'string' || !SAFE_IDENTIFIER.test(t.name))) problems.push('a table name is not a plain identifier');
  if (m.binlog !== null && (typeof m.binlog?.file !== 'string' || !SAFE_NAME.test(m.binlog.file))) problems.push('the binary log file is not one plain name');
  return problems;
}

export async function readManifest(dir: string): Promise<BackupManifest> {
  const text = await readFile(join(dir, MANIFEST), 'utf8').catch(() => {
    throw new BackupError(`${dir} has no ${MANIFEST}: not a finished backup`);
  });
  let m: BackupManifest;
  try {
    m = JSON.parse(text) as BackupManifest;
  } catch {
    throw new BackupError(`${join(dir, MANIFEST)} is not JSON`);
  }
  const problems = typeof m === 'object' && m !== null ? manifestProblems(m) : ['not an object'];
  if (problems.length > 0) throw new BackupError(`${join(dir, MANIFEST)} is not a backup manifest this version reads: ${problems.join('; ')}`);
  return m;
}

/** The finished backups under `root`, oldest first (folders still being written end in .partial and are skipped). */
export async function listBackups(root: string): Promise<BackupManifest[]> {
  const names = await readdir(root).catch(() => [] as string[]);
  const found: BackupManifest[] = [];
  for (const name of names.filter((n) => !n.endsWith('.partial')).sort()) {
    const m = await readManifest(join(root, name)).catch(() => undefined);
    if (m && m.id === name) found.push(m);
  }
  return found.sort((x, y) => x.startedAt.localeCompare(y.startedAt));
}

/** Keeps the newest `keep` backups and removes the others (and partial folders older than a day); returns the removed ids. */
export async function pruneBackups(root: string, keep: number, now = new Date()): Promise<string[]> {
  const all = await listBackups(root);
  const removed: string[] = [];
  for (const m of all.slice(0, Math.max(0, all.length - keep))) {
    await rm(join(root, m.id), { recursive: true, force: true });
    removed.push(m.id);
  }
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (!name.endsWith('.partial')) continue;
    const st = await stat(join(root, name)).catch(() => undefined);
    if (st && now.getTime() - st.mtimeMs > 86_400_000) {
      await rm(join(root, name), { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}
