// Phase 6: the report. What was observed (client outcomes and probes during the fault,
// HAProxy's and Galera's reactions), the verdict, and everything the drill recorded,
// written as JSON and Markdown (report/write.ts).
import { readNodeStates } from '../../lab/index.ts';
import { describeFault } from '../faults/index.ts';
import { decideVerdict, type Judged } from '../judge/verdict.ts';
import { buildTimeline } from '../report/timeline.ts';
import { integritySection, writeReport, type DrillReport } from '../report/write.ts';
import { percentile, type SteadyState } from '../steady-state.ts';
import type { DrillContext } from './context.ts';
import { phaseEvents } from './journal.ts';
import type { Injection, Traffic } from './method.ts';
import type { Recovery } from './recovery.ts';
import type { TimelineEvent } from '../types.ts';
import { alertLanes } from '../report/alert-lanes.ts';
import { budgetFor, clientImpact } from '../judge/clients.ts';

export interface ReportInput {
  startedAt: string;
  durability: string | undefined;
  before: SteadyState;
  traffic: Traffic;
  injection: Injection;
  rollbackProblems: string[];
  recovery: Recovery;
  judged: Judged;
}

export async function report(ctx: DrillContext, input: ReportInput): Promise<{ report: DrillReport; files: { json: string; md: string; html?: string } }> {
  const { drill, target, victims, o } = ctx;
  const { traffic, judged, recovery, rollbackProblems } = input;
  const { observer, run } = traffic;
  const probes = observer.probes;
  const p99 = (phase: string): number | undefined => percentile(probes.filter((p) => p.phase === phase).map((p) => p.ms), 99);
  const status503 = probes.filter((p) => p.status === 503 && p.phase !== 'before');
  // the requests in flight from the injection until the steady state was back (or the traffic stopped)
  const at = (kind: TimelineEvent['kind']): number | undefined => observer.events.find((e) => e.kind === kind)?.at;
  const faultFrom = at('fault-start');
  const samples = run.stats.samples;
  const clients = faultFrom === undefined || samples === undefined ? undefined : clientImpact(samples, { from: faultFrom, to: at('steady-state-back') ?? at('traffic-stop') ?? Date.now() }, budgetFor(drill, target.kind));
  const obs = {
    clientOutcomesDuringFault: observer.clientOutcomesSinceFault(),
    probe503: status503.length,
    probe503WithoutRetryAfter: status503.filter((p) => !p.retryAfter).length,
    haproxyMarkedTargetDown: observer.haproxyObserved ? observer.haproxyMarkedDown : undefined,
    targetLeftPrimary: observer.targetLeftPrimary,
    probeP99BeforeMs: p99('before'),
    probeP99DuringMs: p99('fault'),
    recovered: recovery.recovered,
    rollbackProblems,
    clients,
  };
  const verdict = decideVerdict(drill, obs, judged, { durability: input.durability });
  const byStatus: Record<string, number> = {};
  for (const p of probes) byStatus[String(p.status)] = (byStatus[String(p.status)] ?? 0) + 1;
  const integrity = integritySection(judged.ledger, judged.invariants);
  // one entry per acknowledged write, however many nodes lack it (`regressed` has one row per node)
  const lostIds = [...new Set([
    ...integrity.missing.map((m) => `${m.kind} ${m.id}`),
    ...integrity.regressed.map((m) => `${m.kind} ${m.id} (${m.acknowledged} → ${m.found})`),
  ])];
  const snap = run.stats.snapshot();
  // every node's state while the traffic ran; an alert drill's alert as Prometheus and the console saw it
  const stoppedAt = observer.events.find((e) => e.kind === 'traffic-stop')?.at ?? Date.now();
  const lanes = [
    ...observer.lanes.spans(stoppedAt),
    ...(ctx.alert ? await alertLanes(o.endpoints.prometheus, ctx.alert.rule.alert, observer.events.find((e) => e.kind === 'traffic-start')?.at ?? Date.parse(input.startedAt), stoppedAt, ctx.alert.deliveredAt).catch(() => []) : []),
  ];
  const boot = input.injection.fault?.bootstrap?.();
  const targets = victims.map((v) => v.name);
  const drillReport: DrillReport = {
    drill: drill.name,
    description: drill.description,
    proves: drill.proves,
    project: target.project,
    runtime: target.kind,
    targets,
    fault: describeFault(drill.fault, targets, target.kind),
    durability: input.durability,
    startedAt: input.startedAt,
    endedAt: new Date().toISOString(),
    // an alert drill holds its fault until the alert fired: the time it was held
    options: { faultSeconds: heldSeconds(ctx, observer.events), rate: drill.rate ?? o.rate, seed: run.seed },
    steadyStateBefore: input.before.checks,
    steadyStateAfter: recovery.after.checks,
    timeline: buildTimeline([...observer.events, ...phaseEvents(ctx.journal.phases), ...(ctx.alert?.moments ?? []).map((m) => ({ ...m, kind: 'alert' as const }))]),
    clientErrorsDuringFault: obs.clientOutcomesDuringFault,
    clients,
    traffic: { requests: snap.requests.total, byOutcome: snap.requests.byOutcome, uncertainWrites: run.ledger.counts().uncertain },
    probes: { total: probes.length, byStatus, p99BeforeMs: obs.probeP99BeforeMs, p99DuringMs: obs.probeP99DuringMs, status503WithoutRetryAfter: obs.probe503WithoutRetryAfter },
    haproxyMarkedTargetDown: obs.haproxyMarkedTargetDown,
    targetLeftPrimary: obs.targetLeftPrimary,
    lanes,
    bootstrap: boot ? { chosen: boot.choice.ok ? boot.choice.node : undefined, reason: boot.choice.reason, positions: boot.positions, problems: boot.problems } : undefined,
    writes: { acknowledged: integrity.acknowledged.users + integrity.acknowledged.orders + integrity.acknowledged.payments, lost: lostIds.length, lostIds },
    integrity,
    consistency: judged.consistency,
    exactlyOnce: judged.exactlyOnce,
    fulfilment: judged.fulfilment,
    ...(recovery.broker ? { broker: recovery.broker } : {}),
    restore: judged.restore,
    alert: judged.alert,
    ...(judged.edge ? { edge: judged.edge } : {}),
    nodesAfter: await readNodeStates(target, ctx.sql).catch(() => []),
    rollbackProblems,
    verdict,
    // the journal so far; the report phase itself ends after the files are written
    phases: [...ctx.journal.phases],
    log: ctx.journal.log,
  };
  const files = await writeReport(o.reportDir, drillReport, drill, run.stats.samples, run.stats.samplesDropped);
  return { report: drillReport, files };
}

/** How long the fault was held: its duration, or for an alert drill from the fault to the rollback. */
function heldSeconds(ctx: DrillContext, events: readonly TimelineEvent[]): number {
  if (!ctx.alert) return ctx.faultMs / 1000;
  const from = events.find((e) => e.kind === 'fault-start')?.at;
  const to = events.find((e) => e.kind === 'rollback-start')?.at;
  return from === undefined || to === undefined ? 0 : Math.round((to - from) / 100) / 10;
}
