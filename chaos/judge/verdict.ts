// The verdict of a drill, from what was observed and what the judge read. Pure.
//   failed   — data or lab harmed: an acknowledged write lost, an invariant broken, nodes
//              diverged, or the lab not back to its steady state (or not restored)
//   deviated — data intact, but the shop or the cluster did not behave as the drill expects
//              (a 500, a hang, HAProxy kept a dead node, a 503 without Retry-After, clients
//              over the drill's budget of failed requests or latency ...)
//   passed   — everything as expected
import type { Drill, Verdict } from '../types.ts';
import type { ConsistencyResult } from './verify.ts';
import type { InvariantJudgement } from './invariants.ts';
import type { LedgerCheck } from './read-nodes.ts';
import { exactlyOnceFindings, type ExactlyOnceResult } from './exactly-once.ts';
import { ARCHIVE_LAG_MS, restoreFindings, type RestoreJudgement } from './restore.ts';
import { fulfilmentFindings, type FulfilmentResult } from './fulfilment.ts';
import type { AlertJudgement } from './alert.ts';
import type { ClientImpact } from './clients.ts';
import type { EdgeJudgement } from './edge.ts';

export interface Observations {
  /** client outcomes (HTTP status, "timeout", "error") between fault start and steady state back */
  clientOutcomesDuringFault: Record<string, number>;
  /** the observer's own probes: 503s seen, and those without Retry-After */
  probe503: number;
  probe503WithoutRetryAfter: number;
  /** undefined when HAProxy could not be observed */
  haproxyMarkedTargetDown: boolean | undefined;
  targetLeftPrimary: boolean | undefined;
  /** p99 of the observer's probes before and during the fault, ms */
  probeP99BeforeMs: number | undefined;
  probeP99DuringMs: number | undefined;
  recovered: boolean;
  rollbackProblems: string[];
  /** the traffic's own requests during the fault, against the drill's budget (clients.ts) */
  clients?: ClientImpact;
}

export interface Judged {
  ledger: LedgerCheck | { error: string };
  invariants: InvariantJudgement | { error: string };
  consistency: ConsistencyResult | { error: string };
  /** only for drills with `exactlyOnce` */
  exactlyOnce?: ExactlyOnceResult | { error: string };
  /** only for the restore drills: what came back, RPO and RTO */
  restore?: RestoreJudgement | { error: string };
  /** a lab with fulfilment workers: every acknowledged paid order shipped exactly once (fulfilment.ts) */
  fulfilment?: FulfilmentResult | { error: string };
  /** alert drills: fired (or held back) and resolved within its bounds, nothing unrelated notified (alert.ts) */
  alert?: AlertJudgement | { error: string };
  /** the edge's drills: the flood refused at the edge, or clients served again after its outage (edge.ts) */
  edge?: EdgeJudgement | { error: string };
}

export interface VerdictResult {
  verdict: Verdict;
  failures: string[];
  deviations: string[];
  /** one sentence: the first failure, else the first deviation, else why it passed */
  reason: string;
}

const listIds = (ids: string[], max = 15): string => (ids.length > max ? `${ids.slice(0, max).join(', ')} … (${ids.length} in all)` : ids.join(', '));

export function decideVerdict(drill: Drill, obs: Observations, judged: Judged, context: { durability?: string } = {}): VerdictResult {
  const failures: string[] = [];
  const deviations: string[] = [];
  const e = drill.expectations;

  // --- data ---
  if ('error' in judged.ledger) {
    failures.push(`ledger could not be checked: ${judged.ledger.error}`);
  } else {
    const { result, staleReads } = judged.ledger;
    const lost = [...result.missing.map((m) => `${m.kind} ${m.id}`), ...result.regressed.map((r) => `${r.kind} ${r.id} (${r.found} on ${r.node}, acknowledged ${r.acknowledged})`)];
    if (lost.length > 0) {
      const why = e.lossPossible
        ? ` — expected of durability profile ${context.durability ?? 'unknown'} when every node crashes at once (commits acknowledged before the redo log reached the disk)`
        : '';
      failures.push(`${lost.length} acknowledged write(s) lost: ${listIds(lost)}${why}`);
    }
    for (const u of result.unreadableNodes) failures.push(`ledger not verified on ${u.node}: ${u.error}`);
    if (staleReads.length > 0) deviations.push(`${staleReads.length} stale read(s) despite wsrep_sync_wait=1 (${listIds(staleReads.map((s) => `${s.kind} ${s.id} on ${s.node}`))})`);
  }
  if ('error' in judged.invariants) {
    failures.push(`invariants could not be checked: ${judged.invariants.error}`);
  } else {
    const v = judged.invariants.violations;
    if (v.length > 0) failures.push(`${v.length} invariant violation(s): ${listIds(v.map((x) => `${x.invariant} on ${x.node}: ${x.detail}`), 5)}`);
    for (const err of judged.invariants.errors) failures.push(`invariant ${err.invariant} not checked on ${err.node}: ${err.error}`);
  }
  if ('error' in judged.consistency) {
    failures.push(`cross-node consistency not verified: ${judged.consistency.error}`);
  } else if (!judged.consistency.consistent) {
    const tables = judged.consistency.differing.map((d) => `${d.table} (${Object.entries(d.values).map(([n, v]) => `${n}=${v}`).join(' ')})`);
    const unread = judged.consistency.nodes.filter((n) => n.error).map((n) => `${n.node}: ${n.error}`);
    if (tables.length > 0) failures.push(`nodes diverged: ${tables.join('; ')}`);
    else failures.push(`cross-node consistency not established: ${[...unread, judged.consistency.note ?? ''].filter(Boolean).join('; ') || 'no readable node'}`);
  }

  if (judged.exactlyOnce !== undefined) {
    if ('error' in judged.exactlyOnce) failures.push(`exactly-once not checked: ${judged.exactlyOnce.error}`);
    else {
      const found = exactlyOnceFindings(judged.exactlyOnce);
      failures.push(...found.failures);
      deviations.push(...found.deviations);
    }
  }

  if (judged.fulfilment !== undefined) {
    if ('error' in judged.fulfilment) failures.push(`fulfilment not judged: ${judged.fulfilment.error}`);
    else failures.push(...fulfilmentFindings(judged.fulfilment));
  }

  if (judged.alert !== undefined) {
    if ('error' in judged.alert) failures.push(`the alert not judged: ${judged.alert.error}`);
    else failures.push(...judged.alert.failures);
  }

  if (judged.edge !== undefined) {
    if ('error' in judged.edge) failures.push(`the edge not judged: ${judged.edge.error}`);
    else failures.push(...judged.edge.failures);
  }

  if (judged.restore !== undefined) {
    if ('error' in judged.restore) failures.push(`the restore not judged: ${judged.restore.error}`);
    else {
      const found = restoreFindings(judged.restore);
      failures.push(...found.failures);
      deviations.push(...found.deviations);
    }
  }

  // --- lab ---
  if (!obs.recovered) failures.push(`the lab did not return to its steady state within ${drill.recoveryBoundSeconds} s`);
  for (const p of obs.rollbackProblems) failures.push(`not restored: ${p}`);

  // --- behaviour ---
  const outcomes = obs.clientOutcomesDuringFault;
  for (const status of e.forbidClientStatuses) {
    const n = outcomes[String(status)] ?? 0;
    if (n > 0) deviations.push(`clients got ${n} × HTTP ${status} during the fault (${e.forbidClientStatuses.includes(503) ? 'this fault should not reach them' : 'expected 503 at worst'})`);
  }
  const unexpected5xx = Object.entries(outcomes).filter(([k, n]) => /^5\d\d$/.test(k) && n > 0 && !e.allowedClientStatuses.includes(Number(k)) && !e.forbidClientStatuses.includes(Number(k)));
  for (const [k, n] of unexpected5xx) deviations.push(`clients got ${n} × HTTP ${k} during the fault`);
  if (e.forbidTimeouts && (outcomes.timeout ?? 0) > 0) deviations.push(`${outcomes.timeout} client request(s) timed out (a hang) during the fault`);
  deviations.push(...(obs.clients?.overBudget ?? []));
  if (e.retryAfterOn503 && obs.probe503WithoutRetryAfter > 0) deviations.push(`${obs.probe503WithoutRetryAfter} of ${obs.probe503} probe 503s had no Retry-After`);
  if (e.haproxyMarksTargetDown && obs.haproxyMarkedTargetDown === false) deviations.push('HAProxy never marked the target DOWN: it stayed in rotation');
  if (e.targetLeavesPrimary && obs.targetLeftPrimary === false) deviations.push('the target never left the Primary component');
  if (e.latencyRises && obs.probeP99BeforeMs !== undefined && obs.probeP99DuringMs !== undefined && obs.probeP99DuringMs <= obs.probeP99BeforeMs) {
    deviations.push(`latency did not rise (probe p99 ${Math.round(obs.probeP99BeforeMs)} ms before, ${Math.round(obs.probeP99DuringMs)} ms during)`);
  }

  const verdict: Verdict = failures.length > 0 ? 'failed' : deviations.length > 0 ? 'deviated' : 'passed';
  const reason =
    failures[0] ??
    deviations[0] ??
    (judged.restore && !('error' in judged.restore) ? `${restoredReason(judged.restore)}${fulfilledReason(judged.fulfilment)}` : undefined) ??
    `${alertedReason(judged.alert)}every acknowledged write is on every node${judged.exactlyOnce ? ' exactly once, every replay equals its answer' : ''}${fulfilledReason(judged.fulfilment)}, invariants hold, nodes agree, and the lab recovered within ${drill.recoveryBoundSeconds} s`;
  return { verdict, failures, deviations, reason };
}

function alertedReason(a: Judged['alert']): string {
  if (a === undefined || 'error' in a) return '';
  const fired = a.inhibition ? `fired after ${a.firedAfterSeconds?.toFixed(1)} s and was held back while ${a.inhibition.by} paged` : `reached the lab console after ${a.firedAfterSeconds?.toFixed(1)} s`;
  return `${a.alert} ${fired} and resolved ${a.resolvedAfterSeconds?.toFixed(1)} s after the rollback, nothing unrelated notified; `;
}

function fulfilledReason(f: Judged['fulfilment']): string {
  return f === undefined || 'error' in f ? '' : `, each of the ${f.paid} paid orders shipped exactly once (the last after ${Math.round(f.waitedMs / 1000)} s)`;
}

function restoredReason(r: RestoreJudgement): string {
  const rto = r.rtoSeconds === undefined ? '' : `, RTO ${r.rtoSeconds} s`;
  if (r.mode === 'point-in-time') return `every write acknowledged before the disaster (${r.required}) is back on every node (RPO 0${rto}), invariants hold, nodes agree`;
  if (r.mode === 'archived-logs') {
    const lag = r.inStreamLag ? `; of the ${r.inStreamLag.acknowledged} acknowledged in its last ${ARCHIVE_LAG_MS / 1000} s, ${r.inStreamLag.lost.length} not back (the archive's lag), each named` : '';
    return `every write acknowledged until ${ARCHIVE_LAG_MS / 1000} s before the disaster (${r.required}) is back on every node from the backup and the archived binary log${lag} (RPO ${r.rpo.writes} writes, ${r.rpo.seconds} s${rto}); invariants hold, nodes agree`;
  }
  const reused = r.reusedIds.length === 0 ? '' : `; ${r.reusedIds.length} of their ids handed out again, named`;
  return `every write acknowledged before the backup (${r.required}) is back on every node; the ${r.rpo.writes} acknowledged after it are not, each named (RPO ${r.rpo.writes} writes, ${r.rpo.seconds} s${rto})${reused}; invariants hold, nodes agree`;
}
