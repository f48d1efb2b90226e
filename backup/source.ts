// Where a backup is taken and opened. From the host (`smartshop backup create`, the drills):
// in the node's own container by `docker exec`, as its local root, and opened in a helper
// container of the nodes' image. In the stack's backup service (service.ts): right here, in
// a container that has the node's data volume mounted read-only, the backup tools, and a
// narrow SQL account (RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR; REPLICATION SLAVE for the binlog archive) on the node; no Docker
// socket, so the service cannot touch any other container.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ExecResult, HelperSpec, Target } from '../lab/index.ts';
import { BackupError, type BackupKind } from './manifest.ts';

/** The image the backup is opened with from the host: the nodes' own, so server and tool match theirs. */
const INSPECT_IMAGE = 'smartshop/mariadb:local';

export type BackupTool = 'mariadb-backup' | 'mariadb-dump';
type Taken = { exitCode: number; bytes: number; stderr: string };

export interface BackupSource {
  readonly project: string;
  /** the Galera node backed up */
  readonly node: string;
  /** throws a BackupError naming what is wrong when the node cannot be backed up now; whether its binary log is on (and its cluster, where known) */
  prepare(): Promise<{ logBin: boolean; clusterUuid?: string }>;
  /** runs a backup tool against the node, its standard output written to a file */
  take(tool: BackupTool, args: string[], path: string, timeoutMs: number, signal?: AbortSignal): Promise<Taken>;
  /** opens a backup folder in a throw-away server (mariadb/backup-inspect.sh) */
  open(kind: BackupKind, database: string, folder: string, timeoutMs: number, signal?: AbortSignal): Promise<ExecResult>;
}

/**
 * Runs one of the nodes' image's scripts in a helper container, from the host. The image
 * is the lab's, so an image older than the checkout may lack the script: that is said so.
 */
export async function runNodeImageScript(
  target: Target, script: 'backup-inspect.sh' | 'backup-restore.sh' | 'binlog-pitr.sh', args: string[],
  spec: Omit<HelperSpec, 'image' | 'entrypoint' | 'cmd'>, timeoutMs = 30 * 60_000,
): Promise<ExecResult> {
  const outdated = new BackupError(`${INSPECT_IMAGE} has no ${script}: it predates this checkout. Rebuild it with \`make up\` (or \`docker compose build mariadb-1\`)`);
  const r = await target.runHelper({ image: INSPECT_IMAGE, entrypoint: [`/usr/local/bin/${script}`], cmd: args, ...spec }, timeoutMs)
    // the engine refuses to start a container whose entrypoint is missing
    .catch((e: Error) => { throw /no such file|not found/i.test(e.message) ? outdated : e; });
  if (r.exitCode === 127) throw outdated;
  return r;
}

/** The node's container, from the host. */
export function containerSource(target: Target, node: string): BackupSource {
  const container = async () => {
    const c = await target.find(node);
    if (c.state !== 'running') throw new BackupError(`${node} is ${c.state}: a backup needs a running node (\`smartshop stack status\`)`);
    return c;
  };
  return {
    project: target.project,
    node,
    async prepare() {
      const r = await target.exec(await container(), ['mariadb', '-N', '-B', '-e', 'SELECT @@log_bin']);
      return { logBin: r.stdout.trim() === '1' };
    },
    // root over the node's unix socket: no password travels, none lands in the backup folder
    take: async (tool, args, path, timeoutMs) => target.execToFile(await container(), [tool, ...(tool === 'mariadb-backup' ? ['--user=root'] : []), ...args], path, timeoutMs),
    open: (kind, database, folder, timeoutMs) => runNodeImageScript(target, 'backup-inspect.sh', [kind, database], { binds: [`${folder}:/backup:ro`] }, timeoutMs),
  };
}

export interface LocalSourceOptions {
  project: string;
  /** the node's host name on the lab's network, and its SQL port */
  node: string;
  port: number;
  user: string;
  password: string;
}

/**
 * Runs a local program to its end; stdout into a file when one is given. Bounded by
 * timeoutMs (Infinity: by the signal only, for a program meant to run until told to stop).
 */
export async function runLocal(
  cmd: string, args: string[], o: { timeoutMs: number; stdoutFile?: string; env?: Record<string, string>; signal?: AbortSignal; as?: { uid: number; gid: number } },
): Promise<ExecResult & { bytes: number }> {
  // an abort (the service stopping) ends the program: the backup is cut short and removed
  const child = spawn(cmd, args, { env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'], signal: o.signal, ...o.as });
  const timer = Number.isFinite(o.timeoutMs) ? setTimeout(() => child.kill('SIGKILL'), o.timeoutMs) : undefined;
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-16_000); });
  const out = o.stdoutFile
    ? pipeline(child.stdout, createWriteStream(o.stdoutFile, { mode: 0o600 }))
    : new Promise<void>((resolve) => { child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); }).on('end', resolve); });
  try {
    const [exitCode] = await Promise.all([
      new Promise<number>((resolve, reject) => child.on('error', reject).on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)))),
      out,
    ]);
    return { exitCode, stdout, stderr, bytes: o.stdoutFile ? (await stat(o.stdoutFile)).size : 0 };
  } finally {
    clearTimeout(timer);
  }
}

const status = (name: string): string => `(SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = '${name}')`;

/**
 * The account in an option file of this container's own (the password never on a command
 * line), for the clients' --defaults-extra-file: mariadb, mariadb-backup, mariadb-binlog.
 */
export async function writeAccountFile(o: LocalSourceOptions): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'backup-account-'));
  const defaults = join(dir, 'account.cnf');
  const account = `user=${o.user}\npassword=${o.password}\nhost=${o.node}\nport=${o.port}\n`;
  await writeFile(defaults, `[client]\n${account}[mariadb-backup]\n${account}[mariadb-binlog]\n${account}`, { mode: 0o600 });
  return defaults;
}

/**
 * This container: the node's data volume at the same path as in the node, its SQL port on
 * the network; the account from the option file writeAccountFile() wrote.
 */
export function localSource(o: LocalSourceOptions, defaults: string): BackupSource {
  const withAccount = (args: string[]): string[] => [`--defaults-extra-file=${defaults}`, ...args];
  return {
    project: o.project,
    node: o.node,
    async prepare() {
      const r = await runLocal('mariadb', withAccount(['-N', '-B', '-e',
        `SELECT @@log_bin, ${status('WSREP_LOCAL_STATE_COMMENT')}, ${status('WSREP_CLUSTER_STATE_UUID')}`]), { timeoutMs: 15_000 });
      if (r.exitCode !== 0) {
        const denied = /Access denied/i.test(r.stderr);
        throw new BackupError(denied
          ? `${o.node} refuses the backup account '${o.user}': its data predates the backup service (the account is created when a node is initialised). ` +
            '`make down ARGS=--volumes && make up` recreates the lab with it (its data is lost); `smartshop backup create` on the host works meanwhile'
          : `${o.node}:${o.port} does not answer (${r.stderr.trim().split('\n').at(-1) ?? `exit ${r.exitCode}`}); a backup needs the node running`);
      }
      const [logBin = '', state = '', clusterUuid = ''] = r.stdout.trim().split('\t');
      if (state !== 'Synced') throw new BackupError(`${o.node} is ${state || 'not in a cluster'}, not Synced: a backup waits for a node that holds the cluster's data`);
      return { logBin: logBin === '1', clusterUuid };
    },
    take: (tool, args, path, timeoutMs, signal) => runLocal(tool, withAccount(args), { timeoutMs, stdoutFile: path, signal }),
    open: (kind, database, folder, timeoutMs, signal) => runLocal('/usr/local/bin/backup-inspect.sh', [kind, database], { timeoutMs, env: { BACKUP_DIR: folder }, signal }),
  };
}
