// Exactly once: every keyed write a client got an answer for had exactly one effect, and
// every replay of it answers the same. Judged for drills that crash the shop itself, with
// traffic that retries each key until it gets an answer:
// - effects: the rows created since the drill began (ids above the watermarks taken before
//   its traffic) must be exactly the rows the answers name; a row no answer names is a
//   second effect of a retried key (or of a write that never got an answer, which is
//   counted apart: with retry-until-answered there should be none);
// - final 4xx on a keyed write (409 illegal_transition, 404): the journeys only ask legal
//   things, so a rejection means an earlier attempt did the work and its answer was lost;
// - replays: each acknowledged key is sent again, same body; the answer must be marked
//   Idempotent-Replayed and equal the one the client got.
// The comparison is pure; reading the node and re-sending are the two small functions below.
import { isDeepStrictEqual } from 'node:util';
import type { LedgerAnswer, LedgerExport } from '../../simulator/index.ts';
import type { NodeSql } from '../../lab/index.ts';
import type { LabContainer } from '../../lab/index.ts';
import { LAB_TOOLS_HEADERS } from '../../shared/rate-limit.ts';

const EFFECT_TABLES = ['users', 'orders', 'payments'] as const;
type EffectTable = (typeof EFFECT_TABLES)[number];
export type Watermarks = Record<EffectTable, number>;

interface Orphan {
  table: EffectTable;
  id: string;
}

export interface ReplayMismatch {
  path: string;
  key: string;
  detail: string;
}

export interface ExactlyOnceResult {
  /** keyed writes that got a 2xx answer */
  answered: number;
  /** of those, answers that were already replays (an earlier attempt had done the work) */
  replayedDuringTraffic: number;
  /** keyed writes that never got an answer (the client gave up) */
  unanswered: number;
  created: Record<EffectTable, number>;
  acknowledged: Record<EffectTable, number>;
  /** rows created during the drill that no answer names */
  orphans: Orphan[];
  /** orphans beyond what the unanswered writes could explain: duplicated effects */
  duplicates: number;
  rejected: { path: string; status: number; error: string | null }[];
  replaysChecked: number;
  replayMismatches: ReplayMismatch[];
}

/** Rows created during the drill, as read from one node. */
export type CreatedRows = Record<EffectTable, string[]>;

export function judgeExactlyOnce(ledger: LedgerExport, created: CreatedRows, replays: { checked: number; mismatches: ReplayMismatch[] }): ExactlyOnceResult {
  const acked: Record<EffectTable, Set<string>> = {
    users: new Set(ledger.users.map((u) => String(u.id))),
    orders: new Set(ledger.orders.map((o) => String(o.id))),
    payments: new Set(ledger.payments.map((p) => String(p.id))),
  };
  const orphans: Orphan[] = [];
  for (const table of EFFECT_TABLES) for (const id of created[table]) if (!acked[table].has(id)) orphans.push({ table, id });
  const unanswered = ledger.uncertain.length;
  return {
    answered: ledger.answers.length,
    replayedDuringTraffic: ledger.answers.filter((a) => a.replayed).length,
    unanswered,
    created: { users: created.users.length, orders: created.orders.length, payments: created.payments.length },
    acknowledged: { users: acked.users.size, orders: acked.orders.size, payments: acked.payments.size },
    orphans,
    duplicates: Math.max(0, orphans.length - unanswered),
    rejected: ledger.rejected.map((r) => ({ path: r.path, status: r.status, error: r.error })),
    replaysChecked: replays.checked,
    replayMismatches: replays.mismatches,
  };
}

/** Failures (data) and deviations (unproven) of an exactly-once judgement, for the verdict. */
export function exactlyOnceFindings(r: ExactlyOnceResult): { failures: string[]; deviations: string[] } {
  const failures: string[] = [];
  const deviations: string[] = [];
  const ids = (xs: Orphan[]): string => xs.slice(0, 15).map((o) => `${o.table.slice(0, -1)} ${o.id}`).join(', ') + (xs.length > 15 ? ` … (${xs.length} in all)` : '');
  if (r.duplicates > 0) {
    failures.push(`${r.duplicates} effect(s) no answer names (a key's work done twice, or done and then answered as something else): ${ids(r.orphans)}`);
  }
  else if (r.orphans.length > 0) deviations.push(`${r.orphans.length} row(s) no answer names (${ids(r.orphans)}), within the ${r.unanswered} write(s) that never got an answer: exactly-once not proven`);
  if (r.rejected.length > 0) {
    const what = r.rejected.slice(0, 10).map((x) => `${x.path} → ${x.status} ${x.error ?? ''}`.trim()).join(', ');
    failures.push(`${r.rejected.length} keyed write(s) answered with a final 4xx although the journey asked a legal thing (an earlier attempt's work, answered wrongly): ${what}`);
  }
  if (r.replayMismatches.length > 0) {
    failures.push(`${r.replayMismatches.length} replay(s) differ from the answer the client got: ${r.replayMismatches.slice(0, 5).map((m) => `${m.path} (${m.detail})`).join(', ')}`);
  }
  if (r.unanswered > 0 && r.orphans.length === 0) deviations.push(`${r.unanswered} keyed write(s) never got an answer (the client gave up retrying)`);
  return { failures, deviations };
}

/** Highest ids now, on one node, causally (taken before the drill's traffic starts). */
export async function readWatermarks(sql: NodeSql, node: LabContainer): Promise<Watermarks> {
  const rows = await sql.query(
    node,
    'SET SESSION wsrep_sync_wait = 1; SELECT (SELECT COALESCE(MAX(id), 0) FROM users), (SELECT COALESCE(MAX(id), 0) FROM orders), (SELECT COALESCE(MAX(id), 0) FROM payments)',
  );
  const r = rows[0] ?? [];
  return { users: Number(r[0] ?? 0), orders: Number(r[1] ?? 0), payments: Number(r[2] ?? 0) };
}

/** Ids above the watermarks, on one node, causally (the consistency check covers the others). */
export async function readCreated(sql: NodeSql, node: LabContainer, marks: Watermarks): Promise<CreatedRows> {
  const out: CreatedRows = { users: [], orders: [], payments: [] };
  for (const table of EFFECT_TABLES) {
    const rows = await sql.query(node, `SET SESSION wsrep_sync_wait = 1; SELECT id FROM ${table} WHERE id > ${Math.floor(marks[table])} ORDER BY id`);
    out[table] = rows.map((r) => r[0] ?? '');
  }
  return out;
}

/**
 * Sends every answered key again (same method, path and body), a few at a time: each must
 * come back marked Idempotent-Replayed with the status and body the client first got.
 */
export async function checkReplays(api: string, answers: LedgerAnswer[], options: { concurrency?: number; max?: number; timeoutMs?: number } = {}): Promise<{ checked: number; mismatches: ReplayMismatch[] }> {
  const todo = answers.slice(0, options.max ?? 5_000);
  const mismatches: ReplayMismatch[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < todo.length; i = next++) {
      const a = todo[i] as LedgerAnswer;
      const detail = await replayOnce(api, a, options.timeoutMs ?? 10_000);
      if (detail !== undefined) mismatches.push({ path: a.path, key: a.idempotencyKey, detail });
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return { checked: todo.length, mismatches };
}

async function replayOnce(api: string, a: LedgerAnswer, timeoutMs: number): Promise<string | undefined> {
  try {
    // as the lab's tools: thousands of replays in a few seconds would be over any customer's limit
    const headers: Record<string, string> = { ...LAB_TOOLS_HEADERS, 'idempotency-key': a.idempotencyKey, accept: 'application/json', 'content-type': 'application/json' };
    const res = await fetch(`${api}${a.path}`, { method: a.method, headers, body: a.body === undefined ? undefined : JSON.stringify(a.body), signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    if (res.headers.get('idempotent-replayed') !== 'true') return `HTTP ${res.status} without Idempotent-Replayed`;
    if (res.status !== a.status) return `HTTP ${res.status}, first answer was ${a.status}`;
    const body: unknown = text === '' ? undefined : JSON.parse(text);
    return isDeepStrictEqual(body, a.answer) ? undefined : 'a different body';
  } catch (err) {
    return `not replayed: ${(err as Error).message}`;
  }
}
