// The last cross-node consistency check as Prometheus metrics, through node-exporter's
// textfile collector (the usual way to export a batch job's result): `stack verify` and
// every chaos drill write smartshop_consistency.prom into the project's textfile folder
// (config.ts textfileDir, mounted read-only into node-exporter). The Galera dashboard's
// "Nodes hold the same data" panel and the GaleraNodesDiverged alert read it.
//
// A table is 1 only when every Galera node was read and all of them hold the same rows and
// checksum for it; a table that differed, or that could not be compared (a node unreadable,
// the table missing everywhere), is 0. The textfile collector refuses samples carrying
// their own timestamp, so the time of the check is a gauge of its own.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { GALERA_NODES, writeTextfile } from '../lab/index.ts';
import { textfileDir } from '../lab/paths.ts';
import type { LabConfig, VerifyResult } from '../lab/index.ts';

/** The shop's tables as its migrations leave them (app/db/migrations; a unit test keeps the two in step): always exported, so that a check that could read
 * no node at all still yields a 0 per table instead of no series. */
export const SHOP_TABLES = [
  'products', 'users', 'orders', 'payments', 'activity_logs', 'stat_counters', 'stat_windows', 'idempotency_records',
  // the fulfilment pipeline's (docs/fulfilment.md)
  'outbox', 'leases', 'processed_messages', 'shipments',
] as const;

export const CONSISTENCY_FILE = 'smartshop_consistency.prom';

/** What the renderer needs from either checker (stack verify, the drills' judge). */
export interface ConsistencyCheck {
  /** tables at least one node reported */
  tables: readonly string[];
  /** tables whose rows or checksum differ between the nodes read (or missing on some) */
  diverged: readonly string[];
  /** Galera nodes read without an error */
  nodesRead: number;
  /** Galera nodes the cluster should have */
  nodesExpected: number;
}

/** `stack verify`'s result as a ConsistencyCheck. */
export function fromVerifyResult(r: VerifyResult, nodesExpected: number = GALERA_NODES.length): ConsistencyCheck {
  return {
    tables: [...new Set(r.nodes.flatMap((n) => Object.keys(n.tables)))],
    diverged: r.divergences.map((d) => d.table),
    nodesRead: r.nodes.filter((n) => n.error === undefined).length,
    nodesExpected,
  };
}

const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Pure: the text exposition written to the textfile folder. */
export function renderConsistencyMetrics(check: ConsistencyCheck, now: Date): string {
  const complete = check.nodesExpected > 0 && check.nodesRead >= check.nodesExpected;
  const compared = new Set(check.tables);
  const diverged = new Set(check.diverged);
  const tables = [...new Set([...SHOP_TABLES, ...check.tables, ...check.diverged])].sort();
  const value = (t: string): number => (complete && compared.has(t) && !diverged.has(t) ? 1 : 0);
  return [
    '# HELP smartshop_cluster_consistent 1 when every Galera node held the same rows and checksum for the table at the last check (smartshop stack verify or a chaos drill), 0 when they differed or could not all be read.',
    '# TYPE smartshop_cluster_consistent gauge',
    ...tables.map((t) => `smartshop_cluster_consistent{table="${escapeLabel(t)}"} ${value(t)}`),
    '# HELP smartshop_cluster_consistency_check_timestamp_seconds Unix time of the last cross-node consistency check.',
    '# TYPE smartshop_cluster_consistency_check_timestamp_seconds gauge',
    `smartshop_cluster_consistency_check_timestamp_seconds ${Math.floor(now.getTime() / 1000)}`,
    '# HELP smartshop_cluster_consistency_nodes_read Galera nodes the last consistency check could read.',
    '# TYPE smartshop_cluster_consistency_nodes_read gauge',
    `smartshop_cluster_consistency_nodes_read ${check.nodesRead}`,
    '# HELP smartshop_cluster_consistency_nodes_expected Galera nodes the last consistency check expected to read.',
    '# TYPE smartshop_cluster_consistency_nodes_expected gauge',
    `smartshop_cluster_consistency_nodes_expected ${check.nodesExpected}`,
    '',
  ].join('\n');
}

export interface RecordOptions {
  /** folder to write to; default the project's textfile folder */
  dir?: string;
  now?: Date;
  /** where a failure to write is reported; default stderr */
  warn?: (line: string) => void;
}

/**
 * Writes the check's metrics for node-exporter (atomically: lab's writeTextfile). Never throws: the check's own
 * outcome matters more than its export, so a failure is one warning line and `false`.
 */
export async function recordConsistency(config: Pick<LabConfig, 'project'>, check: ConsistencyCheck, options: RecordOptions = {}): Promise<boolean> {
  const dir = options.dir ?? textfileDir(config.project);
  const warn = options.warn ?? ((line: string) => console.error(line));
  try {
    await writeTextfile(dir, CONSISTENCY_FILE, renderConsistencyMetrics(check, options.now ?? new Date()));
    return true;
  } catch (e) {
    warn(`warning: could not export the consistency result to ${join(dir, CONSISTENCY_FILE)}: ${(e as Error).message}`);
    return false;
  }
}

/** Drops the last result (its data is gone after `stack down --volumes`): a stale 0 would
 * keep GaleraNodesDiverged firing over a brand-new cluster. */
export async function forgetConsistency(config: Pick<LabConfig, 'project'>, dir: string = textfileDir(config.project)): Promise<void> {
  await rm(join(dir, CONSISTENCY_FILE), { force: true });
}
