// SQL on ONE Galera node directly, through `docker exec <node> mariadb …`: it reaches the
// node even when it is cut off the network (partition drill), never goes through
// HAProxy, and needs no published port. The client runs inside the node's container as
// root with the root password the stack gave the container (or unix-socket auth).
import type { LabContainer, Target } from './targets/target.ts';

class SqlError extends Error {}

/** Parses `mariadb --batch --skip-column-names` output: one row per line, tab-separated. */
export function parseBatch(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t').map(unescapeBatch));
}

function unescapeBatch(v: string): string {
  return v.replace(/\\([tn\\0])/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === '0' ? '\0' : '\\'));
}

const WSREP_STATUS_SQL =
  "SHOW GLOBAL STATUS LIKE 'wsrep_%'; SELECT 'innodb_flush_log_at_trx_commit', @@innodb_flush_log_at_trx_commit";

export class NodeSql {
  private clientBinary: string | undefined;
  private password: string | undefined;

  constructor(
    private readonly target: Target,
    readonly database = 'smartshop',
  ) {}

  /** runs statements (separated by `;`) and returns the rows of the last result set(s) */
  async query(node: LabContainer, sql: string, options: { timeoutMs?: number; database?: string | null } = {}): Promise<string[][]> {
    const env = await this.credentials(node);
    const db = options.database === null ? [] : [`--database=${options.database ?? this.database}`];
    const args = ['--batch', '--skip-column-names', '--connect-timeout=5', '-uroot', ...db, '-e', sql];
    const binary = this.clientBinary ?? 'mariadb';
    let res = await this.target.exec(node, [binary, ...args], { env, timeoutMs: options.timeoutMs ?? 20_000 });
    if (this.clientBinary === undefined && (res.exitCode === 126 || res.exitCode === 127 || /executable file not found|no such file/i.test(res.stderr))) {
      res = await this.target.exec(node, ['mysql', ...args], { env, timeoutMs: options.timeoutMs ?? 20_000 });
      if (res.exitCode === 0) this.clientBinary = 'mysql';
    } else if (res.exitCode === 0) {
      this.clientBinary = binary;
    }
    if (res.exitCode !== 0) throw new SqlError(`${node.name}: ${firstLine(res.stderr) || `exit ${res.exitCode}`}`);
    return parseBatch(res.stdout);
  }

  /** SHOW STATUS LIKE 'wsrep_%' (and the flush setting) as a map; works on a non-Primary node too */
  async wsrepStatus(node: LabContainer, timeoutMs = 8_000): Promise<Record<string, string>> {
    const rows = await this.query(node, WSREP_STATUS_SQL, { timeoutMs, database: null });
    return Object.fromEntries(rows.map((r) => [r[0] ?? '', r[1] ?? '']));
  }

  private async credentials(node: LabContainer): Promise<string[]> {
    if (this.password === undefined) {
      const env = await this.target.envOf(node);
      this.password = process.env.CHAOS_DB_ROOT_PASSWORD ?? env.MARIADB_ROOT_PASSWORD ?? env.MYSQL_ROOT_PASSWORD ?? '';
    }
    return this.password === '' ? [] : [`MYSQL_PWD=${this.password}`];
  }
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '' && !/Using a password/i.test(l))?.trim() ?? '';
}
