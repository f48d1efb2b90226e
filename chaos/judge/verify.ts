// `smartshop stack verify`'s check, as the drills call it after recovery: the stack
// module's verifyCluster (every Galera node read directly with causal reads, row counts +
// CHECKSUM TABLE per table, retried while writes settle), mapped to the report's shape.
// consistency.ts keeps our own comparison for when the stack module is not there.
import { resolveStackConfig, verifyCluster as stackVerify, type ConsistencyCheck, type VerifyResult } from '../../stack/index.ts';
import type { NodeSql } from '../galera/node-sql.ts';
import type { Target } from '../targets/target.ts';
import { verifyConsistency, type ConsistencyResult } from './consistency.ts';

export function fromStackVerify(r: VerifyResult): ConsistencyResult {
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

export async function verifyCluster(target: Target, sql: NodeSql, database = process.env.DB_NAME ?? 'smartshop'): Promise<ConsistencyResult> {
  const nodes = await target.list('galera');
  const down = nodes.filter((n) => n.state !== 'running');
  let result: ConsistencyResult;
  try {
    const config = { ...resolveStackConfig(), project: target.project };
    result = fromStackVerify(await stackVerify(config, { database, attempts: 5, delayMs: 2_000 }));
  } catch {
    // the stack module could not run (e.g. a config error): compare ourselves
    result = await verifyConsistency(sql, nodes.filter((n) => n.state === 'running'));
  }
  if (down.length > 0) return { ...result, consistent: false, note: `not running: ${down.map((n) => `${n.name} (${n.state})`).join(', ')}` };
  return result;
}
