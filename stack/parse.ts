// Pure parsing and comparison for the stack command (unit-tested in parse.test.ts).
import type { Divergence, Durability, HaproxyServer, NodeDigest, NodeState, PromTarget, TableDigest } from './types.ts';

/** "name<TAB>value" lines (mariadb -N -B) into a record. */
export function parseTabbed(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) out[line.slice(0, tab)] = line.slice(tab + 1).trim();
  }
  return out;
}

/** HAProxy's `;csv` stats: the servers of every backend (no FRONTEND/BACKEND rows). */
export function parseHaproxyCsv(csv: string): HaproxyServer[] {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.replace(/^# /, '').split(',') ?? [];
  const px = header.indexOf('pxname');
  const sv = header.indexOf('svname');
  const st = header.indexOf('status');
  if (px < 0 || sv < 0 || st < 0) return [];
  const servers: HaproxyServer[] = [];
  for (const line of lines.slice(1)) {
    const cols = line.split(',');
    const server = cols[sv] ?? '';
    if (server === 'FRONTEND' || server === 'BACKEND' || server === '') continue;
    servers.push({ backend: cols[px] ?? '', server, status: cols[st] ?? '' });
  }
  return servers;
}

interface TargetsJson {
  data?: { activeTargets?: { labels?: Record<string, string>; health?: string; lastError?: string }[] };
}

export function parsePromTargets(json: unknown): PromTarget[] {
  const targets = (json as TargetsJson).data?.activeTargets ?? [];
  return targets.map((t) => ({
    job: t.labels?.job ?? '',
    instance: t.labels?.instance ?? '',
    health: t.health ?? 'unknown',
    lastError: t.lastError ?? '',
  }));
}

export function durabilityFromFlush(flush: string | undefined): Durability | 'unknown' {
  switch (flush) {
    case '1': return 'strict';
    case '2': return 'relaxed';
    case '0': return 'fast';
    default: return 'unknown';
  }
}

/** Synced, in the Primary component and ready: what HAProxy's check also requires. */
export function isSynced(wsrep: Record<string, string>): boolean {
  return wsrep.wsrep_local_state === '4' && wsrep.wsrep_cluster_status === 'Primary' && wsrep.wsrep_ready === 'ON';
}

export function describeNode(s: NodeState): string {
  if (s.container !== 'running') return `${s.node}: container ${s.container}`;
  const w = s.wsrep;
  if (!w.wsrep_local_state_comment) return `${s.node}: running, mariadbd not answering yet${s.error ? ` (${s.error})` : ''}`;
  return `${s.node}: ${w.wsrep_local_state_comment}, ${w.wsrep_cluster_status ?? '?'}, cluster size ${w.wsrep_cluster_size ?? '?'}, last committed ${w.wsrep_last_committed ?? '?'}`;
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
