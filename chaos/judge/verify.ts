// Cross-node consistency after recovery: every Galera node, read directly with causal
// reads, must hold the same data. The drills use `smartshop stack verify`'s check
// (lab/verify.ts: row counts + CHECKSUM TABLE per table, retried while writes settle),
// through the drill's target, so it works on compose and Swarm alike; this maps its result
// to the report's shape. Divergence makes a drill fail whatever the ledger says: "Synced"
// over different data is the failure this lab exposes.
import type { ConsistencyCheck } from '../../stack/index.ts';
import { compareNodes, type Target, type VerifyResult } from '../../lab/index.ts';

interface NodeChecksums {
  node: string;
  lastCommitted?: number;
  /** table -> "rows:checksum" */
  tables: Record<string, string>;
  error?: string;
}

export interface ConsistencyResult {
  consistent: boolean;
  nodes: NodeChecksums[];
  /** tables whose value differs, with the value per node */
  differing: { table: string; values: Record<string, string> }[];
  attempts: number;
  note?: string;
}

function fromStackVerify(r: VerifyResult): ConsistencyResult {
  return {
    consistent: r.consistent,
    attempts: r.attempts,
    nodes: r.nodes.map((n) => ({
      node: n.node,
      lastCommitted: Number(n.lastCommitted),
      tables: Object.fromEntries(Object.entries(n.tables).map(([t, d]) => [t, `${d.rows}:${d.checksum}`])),
      ...(n.error ? { error: n.error } : {}),
    })),
    differing: r.divergences.map((d) => ({ table: d.table, values: d.values })),
    ...(r.problem ? { note: r.problem } : {}),
  };
}

/** The judgement as the exported metric's input (stack/consistency-metric.ts): a node that is
 * down or unreadable leaves every table "not compared" (0). */
export function toConsistencyCheck(r: ConsistencyResult, nodesExpected: number): ConsistencyCheck {
  return {
    tables: [...new Set(r.nodes.flatMap((n) => Object.keys(n.tables)))],
    diverged: r.differing.map((d) => d.table),
    nodesRead: r.nodes.filter((n) => n.error === undefined).length,
    nodesExpected: Math.max(nodesExpected, r.nodes.length),
  };
}

/** The drill's judgement of consistency: lab/verify.ts's check, in the report's shape. */
export async function judgeConsistency(target: Target, database = process.env.DB_NAME ?? 'smartshop'): Promise<ConsistencyResult> {
  return fromStackVerify(await compareNodes(target, { database, attempts: 5, delayMs: 2_000 }));
}
