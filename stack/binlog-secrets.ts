// Clear passwords in binary logs. A node initialised before docker-entrypoint.sh made its
// accounts with the log off has its CREATE USER ... IDENTIFIED BY '...' statements in
// mysql-bin.000001, readable by anyone who may stream the log (the backup account), and the
// binlog archive may hold a copy. `stack up` finds such files (only their names leave the
// container, never a line of them), purges them from every node and the archive, and says
// which accounts' passwords were exposed. The stack test uses the same scan.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { composeCapture } from './compose.ts';
import { GALERA_NODES, REPO_ROOT, type LabConfig } from '../lab/index.ts';

type Log = (line: string) => void;

/** A clear password in mariadb-binlog's output: IDENTIFIED BY '…', PASSWORD('…'), USING PASSWORD('…').
 * `IDENTIFIED BY PASSWORD '*…'` (a hash) does not match. Extended POSIX, for grep -E. */
const CLEAR_PASSWORD_ERE = "IDENTIFIED[[:space:]]+BY[[:space:]]+'|PASSWORD[[:space:]]*\\([[:space:]]*'";

/** A shell loop that prints the name of every binary log file in $@ holding a clear password. */
const SCAN = `for f in "$@"; do mariadb-binlog "$f" 2>/dev/null | grep -qiE "${CLEAR_PASSWORD_ERE}" && echo "$f"; done; true`;

export interface BinlogSecrets {
  /** per Galera node, its binary log files (base names) holding a clear password */
  nodes: Record<string, string[]>;
  /** archived files (paths under the backups folder) holding one */
  archive: string[];
}

const lines = (text: string): string[] => text.split('\n').map((l) => l.trim()).filter((l) => l !== '');

/** Scans every running node's binary logs and the binlog archive (through the backup service). */
export async function findClearPasswords(config: LabConfig): Promise<BinlogSecrets> {
  const nodes: Record<string, string[]> = {};
  for (const node of GALERA_NODES) {
    const script = `b=$(mariadb -N -B -e 'SELECT @@log_bin_basename' 2>/dev/null); [ -n "$b" ] && [ "$b" != NULL ] || exit 0; set -- "$b".[0-9]*; [ -e "$1" ] || exit 0; ${SCAN}`;
    const out = await composeCapture(config, ['exec', '-T', node, 'bash', '-c', script], 120_000).catch(() => undefined);
    if (out !== undefined) nodes[node] = lines(out).map((f) => f.slice(f.lastIndexOf('/') + 1));
  }
  const archiveScript = `[ -d /backups/binlogs ] || exit 0; set -- $(find /backups/binlogs -type f -name '*.[0-9]*'); [ -e "$1" ] || exit 0; ${SCAN}`;
  const archived = await composeCapture(config, ['exec', '-T', 'backup', 'bash', '-c', archiveScript], 300_000).catch(() => '');
  return { nodes, archive: lines(archived) };
}

/** Where `stack up` notes the cluster (its state UUID) whose logs were found clean or purged:
 * new statements cannot bring a password back, so a long-lived lab's logs are read once. */
export const binlogsCheckedFile = (config: LabConfig): string => join(REPO_ROOT, '.lab', config.project, 'binlogs-checked');

/** Where `stack up` notes that the accounts' passwords were found exposed, until it has renewed
 * them: the purge removes the evidence, so a renewal cut short would otherwise be forgotten. */
export const passwordsExposedFile = (config: LabConfig): string => join(REPO_ROOT, '.lab', config.project, 'passwords-exposed');

/** Purges what findClearPasswords found: every node's logs up to a fresh file, the archived
 * copies. True while the accounts' passwords are to be renewed (found exposed now or by an
 * earlier `stack up` that did not finish renewing them: passwordsExposedFile). */
export async function purgeClearPasswords(config: LabConfig, log: Log): Promise<boolean> {
  const pending = passwordsExposedFile(config);
  const status = await composeCapture(config, ['exec', '-T', 'mariadb-1', 'mariadb', '-N', '-B', '-e', "SHOW STATUS LIKE 'wsrep_cluster_state_uuid'"], 30_000).catch(() => '');
  const uuid = status.trim().split('\t')[1] ?? '';
  const marker = binlogsCheckedFile(config);
  if (uuid !== '' && (await readFile(marker, 'utf8').catch(() => '')).trim() === uuid) return existsSync(pending);
  let found = await findClearPasswords(config);
  const exposed = holdsAny(found);
  if (exposed) {
    await mkdir(dirname(pending), { recursive: true }).then(() => writeFile(pending, `${new Date().toISOString()}\n`)).catch(() => undefined);
    await purge(config, found, log);
    // noted as checked only once a second scan finds nothing: a purge that failed is tried again
    found = await findClearPasswords(config);
  }
  if (uuid !== '' && !holdsAny(found)) await writeFile(marker, `${uuid}\n`).catch(() => undefined);
  return exposed || existsSync(pending);
}

const holdsAny = (found: BinlogSecrets): boolean => found.archive.length > 0 || Object.values(found.nodes).some((files) => files.length > 0);

async function purge(config: LabConfig, found: BinlogSecrets, log: Log): Promise<void> {
  for (const [node, files] of Object.entries(found.nodes).filter(([, f]) => f.length > 0)) {
    log(`==> ${node}: ${files.join(', ')} hold(s) account passwords in clear (made before accounts were created with the binary log off): purging its binary logs up to a new file`);
    // PURGE takes every file before the one named: the fresh one the flush opened
    await composeCapture(config, ['exec', '-T', node, 'bash', '-c',
      "mariadb -e 'FLUSH LOCAL BINARY LOGS' && f=$(mariadb -N -B -e 'SHOW MASTER STATUS' | cut -f1) && mariadb -e \"PURGE BINARY LOGS TO '$f'\""], 60_000)
      .catch((e: Error) => log(`warning: could not purge ${node}'s binary logs (${e.message.split('\n').at(-2) ?? e.message}); run \`FLUSH BINARY LOGS\` and \`PURGE BINARY LOGS TO\` the newest file on it`));
  }
  if (found.archive.length > 0) {
    log(`==> the binlog archive: ${found.archive.length} file(s) hold account passwords in clear: deleting them`);
    await composeCapture(config, ['exec', '-T', 'backup', 'rm', '-f', '--', ...found.archive], 60_000)
      .catch((e: Error) => log(`warning: could not delete them (${e.message}); delete ${found.archive.join(', ')} under .lab/${config.project}/backups`));
  }
  log('    those passwords were readable by anyone who could stream or copy the binary log (the backup account, the archive): ' +
    'stack up renews them next (a backup taken before now can no longer be rolled forward past the purged files: take a new one with `smartshop backup create`)');
}
