// Do all Galera nodes hold the same data? The one cross-node check (`smartshop stack
// verify`, the drills' judgement, the recovery tests). Each node is queried directly inside
// its container (never through HAProxy) with causal reads (wsrep_sync_wait=1): per table its
// row count and CHECKSUM TABLE, plus the node's wsrep_last_committed and cluster state.
// Writes in flight make nodes differ for a moment, so it retries a few times before calling
// a difference a divergence. Through a Target, so compose and Swarm labs alike.
import { GALERA_NODES } from './config.ts';
import type { Target } from './targets/target.ts';

export interface TableDigest {
  rows: number;
  checksum: string;
}

/** What the check reads from one node. */
export interface NodeDigest {
  node: string;
  lastCommitted: string;
  clusterStatus: string;
  localState: string;
  clusterSize: string;
  tables: Record<string, TableDigest>;
  error?: string;
}

export interface Divergence {
  table: string;
  /** node -> "rows/checksum" (or "missing") */
  values: Record<string, string>;
}

export interface VerifyResult {
  consistent: boolean;
  attempts: number;
  nodes: NodeDigest[];
  divergences: Divergence[];
  /** Why the check could not conclude (a node unreachable), if so. */
  problem?: string;
}

export interface VerifyOptions {
  database?: string;
  attempts?: number;
  delayMs?: number;
  onAttempt?: (attempt: number, result: VerifyResult) => void;
}

const ident = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

async function mariadb(target: Target, node: Awaited<ReturnType<Target['find']>>, sql: string): Promise<string> {
  const r = await target.exec(node, ['mariadb', '--connect-timeout=3', '-N', '-B', '-e', sql], { timeoutMs: 30_000 });
  if (r.exitCode !== 0) throw new Error(r.stderr.trim().split('\n').pop() ?? `mariadb exited ${r.exitCode}`);
  return r.stdout;
}

async function digestNode(target: Target, node: string, database: string): Promise<NodeDigest> {
  const digest: NodeDigest = { node, lastCommitted: '?', clusterStatus: '?', localState: '?', clusterSize: '?', tables: {} };
  const info = await target.find(node).catch(() => undefined);
  if (info?.state !== 'running') return { ...digest, error: `container ${info?.state ?? 'missing'}` };
  try {
    const list = await mariadb(
      target,
      info,
      `SELECT table_name FROM information_schema.tables WHERE table_schema='${database.replace(/'/g, "''")}' AND table_type='BASE TABLE' ORDER BY 1`,
    );
    const tables = list.split('\n').map((t) => t.trim()).filter(Boolean);
    const sql = [
      'SET SESSION wsrep_sync_wait=1',
      "SELECT 'status', LOWER(variable_name), variable_value FROM information_schema.global_status WHERE variable_name IN ('WSREP_LAST_COMMITTED','WSREP_CLUSTER_STATUS','WSREP_LOCAL_STATE_COMMENT','WSREP_CLUSTER_SIZE')",
      ...tables.flatMap((t) => [
        `SELECT 'count', '${t.replace(/'/g, "''")}', COUNT(*) FROM ${ident(database)}.${ident(t)}`,
        `CHECKSUM TABLE ${ident(database)}.${ident(t)}`,
      ]),
    ].join(';\n');
    const parsed = parseVerifyOutput(await mariadb(target, info, sql), database);
    return {
      ...digest,
      lastCommitted: parsed.status.wsrep_last_committed ?? '?',
      clusterStatus: parsed.status.wsrep_cluster_status ?? '?',
      localState: parsed.status.wsrep_local_state_comment ?? '?',
      clusterSize: parsed.status.wsrep_cluster_size ?? '?',
      tables: parsed.tables,
    };
  } catch (e) {
    return { ...digest, error: (e as Error).message };
  }
}

async function compareOnce(target: Target, database: string): Promise<VerifyResult> {
  const nodes = await Promise.all(GALERA_NODES.map((n) => digestNode(target, n, database)));
  const failed = nodes.filter((n) => n.error);
  const divergences = compareDigests(nodes.filter((n) => !n.error));
  const problem = failed.length ? failed.map((n) => `${n.node}: ${n.error ?? ''}`).join('; ') : undefined;
  return { consistent: failed.length === 0 && divergences.length === 0, attempts: 1, nodes, divergences, ...(problem ? { problem } : {}) };
}

/** Compares every Galera node of the lab; retried while they differ (writes settling). */
export async function compareNodes(target: Target, options: VerifyOptions = {}): Promise<VerifyResult> {
  const database = options.database ?? process.env.DB_NAME ?? 'smartshop';
  const attempts = Math.max(1, options.attempts ?? 5);
  let result: VerifyResult | undefined;
  // tables that differed in every attempt so far: a table whose copies agreed once was in
  // flux (the relay's lease is renewed every second), not diverged
  let persistent: Set<string> | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    result = { ...(await compareOnce(target, database)), attempts: attempt };
    options.onAttempt?.(attempt, result);
    if (result.consistent) return result;
    const now = new Set(result.divergences.map((d) => d.table));
    persistent = persistent === undefined ? now : new Set([...persistent].filter((t) => now.has(t)));
    if (attempt < attempts) await new Promise((r) => setTimeout(r, options.delayMs ?? 2_000));
  }
  const last = result as VerifyResult;
  const kept = last.divergences.filter((d) => persistent?.has(d.table));
  // nothing differed every time: the last attempt's differences are all there is to show
  return kept.length > 0 ? { ...last, divergences: kept } : last;
}

export function formatVerify(result: VerifyResult): string {
  const lines: string[] = [];
  const tables = [...new Set(result.nodes.flatMap((n) => Object.keys(n.tables)))].sort();
  for (const n of result.nodes) {
    if (n.error) { lines.push(`${n.node}: UNREACHABLE (${n.error})`); continue; }
    const perTable = tables.map((t) => `${t}=${n.tables[t] ? `${n.tables[t].rows}/${n.tables[t].checksum}` : 'missing'}`).join(' ');
    lines.push(`${n.node}: last_committed=${n.lastCommitted} ${n.localState} ${n.clusterStatus} size=${n.clusterSize} | ${perTable}`);
  }
  if (result.consistent) {
    lines.push(`consistent: all ${result.nodes.length} nodes hold the same rows and checksums (${tables.length} tables, attempt ${result.attempts})`);
  } else {
    for (const d of result.divergences) {
      lines.push(`DIVERGED table ${d.table}: ${Object.entries(d.values).map(([node, v]) => `${node}=${v}`).join('; ')}`);
    }
    if (result.problem) lines.push(`could not compare every node: ${result.problem}`);
    lines.push(`gave up after ${result.attempts} attempts: nodes differ or could not be read`);
  }
  return lines.join('\n');
}

/**
 * Output of the verify query script, one tagged line each:
 *   status<TAB>wsrep_x<TAB>value   count<TAB>table<TAB>n   <db>.<table><TAB>checksum
 */
export function parseVerifyOutput(stdout: string, database: string): { status: Record<string, string>; tables: Record<string, TableDigest> } {
  const status: Record<string, string> = {};
  const counts: Record<string, number> = {};
  const sums: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const cols = line.split('\t');
    if (cols[0] === 'status' && cols.length >= 3) status[cols[1] ?? ''] = cols[2] ?? '';
    else if (cols[0] === 'count' && cols.length >= 3) counts[cols[1] ?? ''] = Number(cols[2]);
    else if (cols.length === 2 && cols[0]?.startsWith(`${database}.`)) sums[cols[0].slice(database.length + 1)] = cols[1] ?? '';
  }
  const tables: Record<string, TableDigest> = {};
  for (const [table, rows] of Object.entries(counts)) tables[table] = { rows, checksum: sums[table] ?? 'NULL' };
  return { status, tables };
}

/** Tables whose row count or checksum differ between nodes (or exist on some only). */
export function compareDigests(nodes: NodeDigest[]): Divergence[] {
  const tables = new Set(nodes.flatMap((n) => Object.keys(n.tables)));
  const divergences: Divergence[] = [];
  for (const table of [...tables].sort()) {
    const values: Record<string, string> = {};
    for (const n of nodes) {
      const t = n.tables[table];
      values[n.node] = t ? `${t.rows} rows, checksum ${t.checksum}` : 'missing';
    }
    if (new Set(Object.values(values)).size > 1) divergences.push({ table, values });
  }
  return divergences;
}
