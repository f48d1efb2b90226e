// The drill report: `<dir>/<ISO time>-<drill>.json` for machines and `.md` for people.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodePosition } from '../galera/grastate.ts';
import type { NodeState } from '../../lab/index.ts';
import type { ConsistencyResult } from '../judge/verify.ts';
import type { InvariantJudgement } from '../judge/invariants.ts';
import type { LedgerCheck } from '../judge/read-nodes.ts';
import { ARCHIVE_LAG_MS, type RestoreJudgement } from '../judge/restore.ts';
import type { ExactlyOnceResult } from '../judge/exactly-once.ts';
import type { FulfilmentResult } from '../judge/fulfilment.ts';
import { clientsLine, type ClientImpact } from '../judge/clients.ts';
import { edgeLine, type EdgeJudgement } from '../judge/edge.ts';
import type { BrokerObservation } from '../observe/broker-watch.ts';
import { alertLines, type AlertJudgement } from '../judge/alert.ts';
import type { VerdictResult } from '../judge/verdict.ts';
import type { Check } from '../steady-state.ts';
import type { Drill } from '../types.ts';
import type { TimelineSummary } from './timeline.ts';
import { renderPhases, type PhaseRecord } from '../phases/journal.ts';
import type { RequestSample } from '../../simulator/index.ts';
import type { PicturesSummary } from './pictures.ts';
import type { TimeSpan } from '../../shared/charts.ts';

export interface DrillReport {
  drill: string;
  description: string;
  proves: string;
  project: string;
  /** how the lab ran: compose or swarm */
  runtime?: string;
  targets: string[];
  fault: string;
  durability: string | undefined;
  startedAt: string;
  endedAt: string;
  options: { faultSeconds: number; rate: number; seed: number };
  steadyStateBefore: Check[];
  steadyStateAfter: Check[];
  timeline: TimelineSummary;
  clientErrorsDuringFault: Record<string, number>;
  /** the traffic's requests in flight during the fault: failed, p99, longest, against the drill's budget */
  clients?: ClientImpact;
  traffic: { requests: number; byOutcome: Record<string, number>; uncertainWrites: number };
  probes: { total: number; byStatus: Record<string, number>; p99BeforeMs?: number; p99DuringMs?: number; status503WithoutRetryAfter: number };
  haproxyMarkedTargetDown: boolean | undefined;
  targetLeftPrimary: boolean | undefined;
  /** every node's state while the traffic ran (Galera, HAProxy's view, the broker's containers) and an alert drill's alert, epoch ms: the pictures' lanes */
  lanes?: TimeSpan[];
  bootstrap?: { chosen?: string; reason: string; positions: NodePosition[]; problems: string[] };
  writes: { acknowledged: number; lost: number; lostIds: string[] };
  integrity: {
    acknowledged: { users: number; orders: number; payments: number };
    foundOnEveryNode: number;
    missing: { kind: string; id: string; nodes: string[] }[];
    regressed: { kind: string; id: string; node: string; acknowledged: string; found: string }[];
    invariantsChecked: string[];
    invariantViolations: { invariant: string; node: string; detail: string }[];
    staleReadsSeen: number;
    /** acknowledged ids that now name another, newer row (counted missing) */
    reusedIds: string[];
    error?: string;
  };
  consistency: ConsistencyResult | { error: string };
  /** drills with exactlyOnce: one effect per answered key, replays equal */
  exactlyOnce?: ExactlyOnceResult | { error: string };
  /** the restore drills: the backup, the disaster, what came back, RPO and RTO */
  restore?: RestoreJudgement | { error: string };
  /** the edge's drills: what the edge refused, and its clients after the rollback */
  edge?: EdgeJudgement | { error: string };
  /** labs with fulfilment workers: each acknowledged paid order shipped exactly once */
  fulfilment?: FulfilmentResult | { error: string };
  /** labs with a broker: the queue's leader before and after, time to a new leader, the outbox's largest backlog */
  broker?: BrokerObservation;
  /** alert drills: the alert, its bounds, when it fired and resolved, what else was notified */
  alert?: AlertJudgement | { error: string };
  nodesAfter: NodeState[];
  rollbackProblems: string[];
  verdict: VerdictResult;
  /** the journal: each phase (steady-state hypothesis, method, rollbacks, recovery, judgement) with its times and outcome */
  phases: PhaseRecord[];
  log: string[];
  /** what the HTML report's charts drew (pictures.ts): requests, errors, the fault window */
  pictures?: PicturesSummary;
  /** why the pictures could not be drawn (the report itself is complete without them) */
  picturesError?: string;
}

export function integritySection(ledger: LedgerCheck | { error: string }, inv: InvariantJudgement | { error: string }): DrillReport['integrity'] {
  const base = {
    invariantsChecked: 'error' in inv ? [] : inv.checked,
    invariantViolations: 'error' in inv ? [] : inv.violations,
  };
  if ('error' in ledger) {
    return { acknowledged: { users: 0, orders: 0, payments: 0 }, foundOnEveryNode: 0, missing: [], regressed: [], staleReadsSeen: 0, reusedIds: [], ...base, error: ledger.error };
  }
  return {
    acknowledged: ledger.result.acknowledged,
    foundOnEveryNode: ledger.result.foundOnEveryNode,
    missing: ledger.result.missing,
    regressed: ledger.result.regressed,
    staleReadsSeen: ledger.staleReads.length + ledger.staleMissing,
    reusedIds: ledger.result.reusedIds,
    ...base,
    ...('error' in inv ? { error: `invariants: ${inv.error}` } : {}),
  };
}

export function renderMarkdown(r: DrillReport, drill: Drill): string {
  const t = r.timeline;
  const lines: string[] = [];
  const icon = r.verdict.verdict === 'passed' ? '✅' : r.verdict.verdict === 'deviated' ? '⚠️' : '❌';
  lines.push(`# Chaos drill ${r.drill}: ${icon} ${r.verdict.verdict}`, '', `> ${r.verdict.reason}`, '');
  lines.push(`${r.description}`, '', `Proves: ${r.proves}.`, '');
  lines.push('| | |', '|---|---|');
  lines.push(`| project | ${r.project}${r.runtime ? ` (${r.runtime})` : ''} |`, `| targets | ${r.targets.join(', ')} |`, `| fault | ${r.fault} |`);
  lines.push(`| durability profile | ${r.durability ?? 'unknown'} |`, `| started / ended | ${r.startedAt} / ${r.endedAt} |`);
  lines.push(`| fault held / traffic | ${r.options.faultSeconds} s / ${r.options.rate} journeys/s (seed ${r.options.seed}) |`);
  lines.push(`| time to first client error | ${fmt(t.secondsToFirstClientError)} |`, `| time to detection (HAProxy) | ${fmt(t.secondsToDetection)} |`);
  lines.push(`| first success after the first error | ${fmt(t.secondsToFirstSuccess)} |`, `| clients saw errors for | ${fmt(t.secondsOfClientErrors)} |`);
  lines.push(`| time to recover (rollback → steady state) | ${fmt(t.secondsToRecover)} (bound ${drill.recoveryBoundSeconds} s) |`, '');
  lines.push('## Phases', '', ...renderPhases(r.phases));
  lines.push('', '## Timeline', '', '| T+ (s) | event | detail |', '|---:|---|---|');
  for (const e of t.events) lines.push(`| ${e.offsetSeconds.toFixed(1)} | ${e.kind} | ${e.detail.replaceAll('|', '\\|')} |`);
  lines.push('', '## Clients during the fault', '');
  const errs = Object.entries(r.clientErrorsDuringFault).sort();
  lines.push(errs.length === 0 ? 'No request at all during the fault window.' : errs.map(([k, n]) => `- ${k}: ${n}`).join('\n'));
  if (r.clients) lines.push('', clientsLine(r.clients));
  lines.push('', `Probes (GET /api/stats each second): ${Object.entries(r.probes.byStatus).map(([k, n]) => `${k} × ${n}`).join(', ')}; 503 without Retry-After: ${r.probes.status503WithoutRetryAfter}; p99 before ${fmtMs(r.probes.p99BeforeMs)}, during ${fmtMs(r.probes.p99DuringMs)}.`);
  lines.push(`HAProxy marked the target down: ${yn(r.haproxyMarkedTargetDown)}; target left Primary: ${yn(r.targetLeftPrimary)}. Uncertain writes (timeouts, resets): ${r.traffic.uncertainWrites}.`);
  if (r.bootstrap) {
    lines.push('', '## Safe bootstrap', '', `Chosen: ${r.bootstrap.chosen ?? 'none'} — ${r.bootstrap.reason}`, '', '| node | grastate | recovered (--wsrep-recover) |', '|---|---|---|');
    for (const p of r.bootstrap.positions) {
      lines.push(`| ${p.node} | ${p.grastate ? `${p.grastate.uuid}:${p.grastate.seqno} safe=${p.grastate.safeToBootstrap ? 1 : 0}` : 'missing'} | ${p.recovered ? `${p.recovered.uuid}:${p.recovered.seqno}` : '—'} |`);
    }
    for (const p of r.bootstrap.problems) lines.push(`- **problem**: ${p}`);
  }
  const i = r.integrity;
  lines.push('', '## Integrity', '');
  lines.push(`- acknowledged: ${i.acknowledged.users} users, ${i.acknowledged.orders} orders, ${i.acknowledged.payments} payments`);
  lines.push(`- found on every node (read directly, wsrep_sync_wait=1): ${i.foundOnEveryNode}`);
  lines.push(`- missing: ${i.missing.length === 0 ? 'none' : i.missing.map((m) => `${m.kind} ${m.id} (not on ${m.nodes.join(', ')})`).join('; ')}`);
  lines.push(`- behind the acknowledged state: ${i.regressed.length === 0 ? 'none' : i.regressed.map((m) => `${m.kind} ${m.id} ${m.found} on ${m.node} (acknowledged ${m.acknowledged})`).join('; ')}`);
  lines.push(`- invariants checked: ${i.invariantsChecked.join(', ') || 'none'}`);
  lines.push(`- invariant violations: ${i.invariantViolations.length === 0 ? 'none' : i.invariantViolations.map((v) => `${v.invariant} on ${v.node}: ${v.detail}`).join('; ')}`);
  lines.push(`- stale reads seen by the ledger check: ${i.staleReadsSeen}`);
  if (i.reusedIds.length > 0) lines.push(`- acknowledged ids now naming another, newer row (the id was handed out again; counted missing): ${i.reusedIds.slice(0, 30).join(', ')}${i.reusedIds.length > 30 ? ` … (${i.reusedIds.length} in all)` : ''}`);
  if (i.error) lines.push(`- **error**: ${i.error}`);
  if (r.exactlyOnce) lines.push('', '## Exactly once', '', ...exactlyOnceLines(r.exactlyOnce));
  if (r.restore) lines.push('', '## Restore', '', ...restoreLines(r.restore));
  if (r.fulfilment) lines.push('', '## Fulfilment', '', ...fulfilmentLines(r.fulfilment));
  if (r.broker) lines.push('', '## Broker', '', ...brokerLines(r.broker));
  if (r.edge) lines.push('', '## Edge', '', 'error' in r.edge ? `not judged: ${r.edge.error}` : edgeLine(r.edge));
  if (r.alert) lines.push('', '## Alert', '', ...alertLines(r.alert));
  lines.push('', '## Cross-node consistency (stack verify)', '');
  if ('error' in r.consistency) lines.push(`**not verified**: ${r.consistency.error}`);
  else {
    lines.push(r.consistency.consistent ? `All nodes agree (attempt ${r.consistency.attempts}).` : `**Nodes diverged**: ${r.consistency.differing.map((d) => d.table).join(', ')} ${r.consistency.note ?? ''}`);
    for (const n of r.consistency.nodes) lines.push(`- ${n.node}: last_committed ${n.lastCommitted ?? '?'}${n.error ? ` error ${n.error}` : ''}`);
  }
  lines.push('', '## Verdict', '', `**${r.verdict.verdict}** — ${r.verdict.reason}`, '');
  for (const f of r.verdict.failures) lines.push(`- failure: ${f}`);
  for (const d of r.verdict.deviations) lines.push(`- deviation: ${d}`);
  if (r.rollbackProblems.length > 0) lines.push('', '**COULD NOT RESTORE**: ' + r.rollbackProblems.join('; '));
  lines.push('', '<details><summary>runner log</summary>', '', '```', ...r.log, '```', '</details>', '');
  return lines.join('\n');
}

/**
 * Writes the report as JSON and Markdown; with the traffic's request samples also its charts
 * (one SVG each, embedded in the Markdown) and a self-contained HTML page.
 */
export async function writeReport(dir: string, r: DrillReport, drill: Drill, samples?: readonly RequestSample[], samplesDropped = 0): Promise<{ json: string; md: string; html?: string }> {
  await mkdir(dir, { recursive: true });
  const stem = `${r.startedAt.replace(/[:.]/g, '-')}-${r.drill}`;
  const json = join(dir, `${stem}.json`);
  const md = join(dir, `${stem}.md`);
  let markdown = renderMarkdown(r, drill);
  let html: string | undefined;
  if (samples !== undefined) {
    // the pictures are a view of the report, never a reason to lose it: a failure is noted
    try {
      const { drawPictures, renderHtml } = await import('./pictures.ts'); // vega loads only here
      const { pictures, summary } = await drawPictures(r, samples, samplesDropped);
      r.pictures = summary;
      for (const p of pictures) await writeFile(join(dir, `${stem}-${p.name}.svg`), p.svg);
      markdown += ['', '## Pictures', '', ...pictures.map((p) => `![${p.title}](${stem}-${p.name}.svg)\n`)].join('\n');
      html = join(dir, `${stem}.html`);
      await writeFile(html, renderHtml(r, pictures, summary));
    } catch (err) {
      r.picturesError = (err as Error).message;
      markdown += `\n## Pictures\n\nnot drawn: ${r.picturesError}\n`;
    }
  }
  await writeFile(json, `${JSON.stringify(r, null, 2)}\n`);
  await writeFile(md, markdown);
  return { json, md, ...(html ? { html } : {}) };
}

function fulfilmentLines(f: FulfilmentResult | { error: string }): string[] {
  if ('error' in f) return [`**not checked**: ${f.error}`];
  return [
    `- orders acknowledged as paid: ${f.paid}; shipped exactly once: ${f.shipped} (the judge waited ${Math.round(f.waitedMs / 1000)} s of its ${f.boundMs / 1000} s bound${f.idle ? ', then stopped: nothing left in the outbox or the queue' : ''})`,
    `- lost (no shipment): ${f.lost.length === 0 ? 'none' : f.lost.slice(0, 30).join(', ')}`,
    `- duplicated (more than one shipment): ${f.duplicated.length === 0 ? 'none' : f.duplicated.slice(0, 30).map((d) => `${d.orderId} ×${d.shipments}`).join(', ')}`,
    `- outbox events unconfirmed at the end: ${f.outboxBacklog}; messages in the dead-letter queue: ${f.deadLettered ?? 'not read'}`,
    ...(f.lag ? [
      '',
      '| paid | orders shipped | lag p50 | p99 | max |',
      '|---|---:|---:|---:|---:|',
      ...(['before', 'duringFault', 'after'] as const).flatMap((k) => {
        const l = f.lag?.[k];
        return l ? [`| ${LAG_PART[k]} | ${l.orders} | ${fmtMs(l.p50Ms)} | ${fmtMs(l.p99Ms)} | ${fmtMs(l.maxMs)} |`] : [];
      }),
    ] : []),
  ];
}

const LAG_PART = { before: 'before the fault', duringFault: 'during the fault (until the steady state was back)', after: 'after' } as const;

function brokerLines(b: BrokerObservation): string[] {
  const leader = b.leaderBefore === undefined && b.leaderAfter === undefined ? [] : [
    `- queue ${b.queue} led by ${b.leaderBefore ?? 'unknown'} before the fault, by ${b.leaderAfter ?? 'unknown'} after; ` +
      (b.newLeaderAfterSeconds === undefined ? 'no other leader seen meanwhile' : `another node led it ${b.newLeaderAfterSeconds.toFixed(1)} s after the fault`),
  ];
  return [
    ...leader,
    `- the outbox's largest backlog (events the broker had not confirmed): ${b.outboxMaxBacklog === undefined ? 'not read' : `${b.outboxMaxBacklog}${b.outboxMaxAfterSeconds === undefined ? '' : `, ${b.outboxMaxAfterSeconds.toFixed(1)} s after the fault`}`}`,
  ];
}

function exactlyOnceLines(x: ExactlyOnceResult | { error: string }): string[] {
  if ('error' in x) return [`**not checked**: ${x.error}`];
  const c = x.created;
  const a = x.acknowledged;
  return [
    `- keyed writes answered: ${x.answered} (of them ${x.replayedDuringTraffic} answered by a replay: an earlier attempt had done the work); never answered: ${x.unanswered}`,
    `- rows created during the drill: ${c.users} users, ${c.orders} orders, ${c.payments} payments; named by an answer: ${a.users}, ${a.orders}, ${a.payments}`,
    `- rows no answer names: ${x.orphans.length === 0 ? 'none' : x.orphans.map((o) => `${o.table.slice(0, -1)} ${o.id}`).join(', ')}; duplicated effects: ${x.duplicates}`,
    `- keyed writes rejected with a final 4xx: ${x.rejected.length === 0 ? 'none' : x.rejected.map((r) => `${r.path} ${r.status} ${r.error ?? ''}`.trim()).join('; ')}`,
    `- replays re-sent after the drill: ${x.replaysChecked}; differing from the first answer: ${x.replayMismatches.length === 0 ? 'none' : x.replayMismatches.map((m) => `${m.path} (${m.detail})`).join('; ')}`,
  ];
}

const REQUIRED: Record<RestoreJudgement['mode'], string> = {
  'point-in-time': 'every one before the disaster',
  'archived-logs': `every one until ${ARCHIVE_LAG_MS / 1000} s before the disaster`,
  'backup-only': 'those before the backup began',
};

function restoreLines(x: RestoreJudgement | { error: string }): string[] {
  if ('error' in x) return [`**not judged**: ${x.error}`];
  const named = (ids: string[]): string => (ids.length === 0 ? 'none' : `${ids.slice(0, 50).join(', ')}${ids.length > 50 ? ` … (${ids.length} in all)` : ''}`);
  return [
    `| mode | backup | disaster | restore | RTO (disaster → steady state) | RPO |`,
    '|---|---|---|---:|---:|---|',
    `| ${x.mode} | ${x.backupId} (${x.backupStartedAt} → ${x.backupFinishedAt}) | ${x.disaster} at ${x.disasterAt} | ${fmt(x.restoreSeconds)} | ${fmt(x.rtoSeconds)} | ${x.rpo.writes} writes, ${x.rpo.seconds} s |`,
    '',
    `- ${x.rolledForward ?? 'the backup alone, not rolled forward'}`,
    `- acknowledged writes the restore had to bring back: ${x.required} (${REQUIRED[x.mode]})`,
    ...(x.notInBackup ? [
      `- acknowledged after the backup finished, before the disaster: ${x.notInBackup.acknowledged}; not back: ${x.notInBackup.lost.length}; back anyway: ${x.notInBackup.found.length}`,
    ] : []),
    ...(x.inStreamLag ? [
      `- acknowledged in the last ${ARCHIVE_LAG_MS / 1000} s before the disaster (the archive's stream may not have had them): ${x.inStreamLag.acknowledged}; not back: ${x.inStreamLag.lost.length}`,
    ] : []),
    `- not back (the RPO, by id): ${named(x.rpo.ids)}`,
    `- acknowledged after the disaster, before the shop stopped (discarded by a restore to before it): ${x.acknowledgedAfterDisaster}`,
    `- acknowledged ids handed out again after the restore: ${named(x.reusedIds)}`,
  ];
}

const fmt = (s: number | undefined): string => (s === undefined ? '—' : `${s.toFixed(1)} s`);
const fmtMs = (ms: number | undefined): string => (ms === undefined ? '—' : `${Math.round(ms)} ms`);
const yn = (b: boolean | undefined): string => (b === undefined ? 'not observed' : b ? 'yes' : 'no');
