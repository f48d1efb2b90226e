// Reads the ledger's ids and the invariants on EACH Galera node directly (docker exec,
// not HAProxy), with `SET SESSION wsrep_sync_wait=1` so a node answers only after it has
// applied everything the cluster committed before the read: what it then lacks is lost.
import { setTimeout as sleep } from 'node:timers/promises';
import type { NodeSql } from '../../lab/index.ts';
import type { LabContainer } from '../../lab/index.ts';
import { compareLedger, restrictLedger, suspectIds, type AckLedger, type LedgerResult, type NodeRows, type RegressedWrite } from './ledger.ts';
import { invariantQueries, judgeInvariants, type InvariantJudgement, type InvariantResults } from './invariants.ts';

const CAUSAL = 'SET SESSION wsrep_sync_wait=1; ';
const CHUNK = 1_000; // ids per IN list: keeps each `mariadb -e` argument far below the kernel's limit

function chunks<T>(xs: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

const numeric = (id: string): boolean => /^\d+$/.test(id);

/**
 * A row created this long after its write was acknowledged is not that write's row: the id
 * was handed out again (a restore put the counter back). The shop and the nodes share the
 * host's clock; a restore takes most of a minute, so 5 s of slack never hides one.
 */
const REUSE_SLACK_MS = 5_000;

/** created_at as the nodes print it (UTC, DATETIME(3)), epoch ms. */
const createdMs = (text: string | undefined): number => Date.parse(`${(text ?? '').replace(' ', 'T')}Z`);

async function readNodeRows(sql: NodeSql, node: LabContainer, ledger: AckLedger): Promise<NodeRows> {
  const rows: NodeRows = { node: node.name, users: new Set(), orders: new Map(), payments: new Map(), reused: [] };
  const tables = [
    { kind: 'user', table: 'users', entries: ledger.users, status: "'present'", add: (id: string) => rows.users.add(id) },
    { kind: 'order', table: 'orders', entries: ledger.orders, status: 'status', add: (id: string, st: string) => rows.orders.set(id, st) },
    { kind: 'payment', table: 'payments', entries: ledger.payments, status: 'status', add: (id: string, st: string) => rows.payments.set(id, st) },
  ] as const;
  try {
    for (const t of tables) {
      const ackAt = new Map<string, string | undefined>(t.entries.map((e) => [e.id, e.ackAt]));
      for (const ids of chunks(t.entries.map((e) => e.id).filter(numeric))) {
        for (const [id = '', status = '', created] of await sql.query(node, `${CAUSAL}SELECT id, ${t.status}, created_at FROM ${t.table} WHERE id IN (${ids.join(',')})`)) {
          const acked = ackAt.get(id);
          if (acked !== undefined && createdMs(created) > Date.parse(acked) + REUSE_SLACK_MS) rows.reused?.push(`${t.kind} ${id}`);
          else t.add(id, status);
        }
      }
    }
  } catch (err) {
    rows.error = (err as Error).message;
  }
  return rows;
}

export interface LedgerCheck {
  result: LedgerResult;
  /** writes the first read flagged that a second read a few seconds later found: stale reads despite causal reads */
  staleReads: RegressedWrite[];
  staleMissing: number;
}

/**
 * Reads every node, then re-reads only the flagged ids after a pause: what is still missing
 * or behind is lost; what appeared meanwhile is reported as a stale read.
 */
export async function checkLedger(sql: NodeSql, nodes: LabContainer[], ledger: AckLedger, rereadAfterMs = 3_000): Promise<LedgerCheck> {
  const first = compareLedger(ledger, await Promise.all(nodes.map((n) => readNodeRows(sql, n, ledger))));
  if (first.missing.length === 0 && first.regressed.length === 0) return { result: first, staleReads: [], staleMissing: 0 };
  await sleep(rereadAfterMs);
  const suspects = restrictLedger(ledger, suspectIds(first));
  const second = compareLedger(suspects, await Promise.all(nodes.map((n) => readNodeRows(sql, n, suspects))));
  const stillRegressed = new Set(second.regressed.map((r) => `${r.kind}/${r.id}/${r.node}`));
  const stillMissing = new Set(second.missing.map((m) => `${m.kind}/${m.id}`));
  const staleReads = first.regressed.filter((r) => !stillRegressed.has(`${r.kind}/${r.id}/${r.node}`));
  const staleMissing = first.missing.filter((m) => !stillMissing.has(`${m.kind}/${m.id}`)).length;
  const lost = new Set([...second.missing.map((m) => `${m.kind}/${m.id}`), ...second.regressed.map((r) => `${r.kind}/${r.id}`)]);
  const total = first.acknowledged.users + first.acknowledged.orders + first.acknowledged.payments;
  return {
    result: {
      ...first,
      missing: second.missing,
      regressed: second.regressed,
      unreadableNodes: [...first.unreadableNodes, ...second.unreadableNodes.filter((u) => !first.unreadableNodes.some((f) => f.node === u.node))],
      foundOnEveryNode: total - lost.size,
    },
    staleReads,
    staleMissing,
  };
}

export async function checkInvariants(sql: NodeSql, nodes: LabContainer[]): Promise<InvariantJudgement> {
  const results: InvariantResults = {};
  await Promise.all(
    nodes.map(async (n) => {
      const byName: InvariantResults[string] = {};
      for (const q of invariantQueries) {
        try {
          byName[q.name] = await sql.query(n, `${CAUSAL}${q.sql}`, { timeoutMs: 60_000 });
        } catch (err) {
          byName[q.name] = { error: (err as Error).message };
        }
      }
      results[n.name] = byName;
    }),
  );
  return judgeInvariants(results);
}
