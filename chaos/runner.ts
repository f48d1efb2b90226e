// The one generic runner (after Chaos Toolkit): for any drill it checks the steady state,
// starts background traffic (the simulator engine), injects, observes, rolls back (also
// on Ctrl-C or an error), waits for recovery within a bound, judges and reports.
import { setTimeout as sleep } from 'node:timers/promises';
import { startRun, type SimulationRun } from '../simulator/index.ts';
import { describeFault, injectFault, type InjectedFault } from './faults/actions.ts';
import { netemProblem } from './faults/netem.ts';
import { netToolsImage } from '../lab/index.ts';
import { NodeSql } from '../lab/index.ts';
import { readNodeStates } from '../lab/index.ts';
import { checkInvariants, checkLedger } from './judge/read-nodes.ts';
import { fromSimulatorLedger } from './judge/ledger.ts';
import { decideVerdict, type Judged } from './judge/verdict.ts';
import { annotateEnd, annotateStart } from './observe/grafana.ts';
import { ChaosMetrics } from './observe/metrics-server.ts';
import { Observer } from './observe/observer.ts';
import { recoverLab } from './recover.ts';
import { buildTimeline } from './report/timeline.ts';
import { integritySection, writeReport, type DrillReport } from './report/write.ts';
import { checkSteadyState, percentile, type Endpoints, type SteadyState } from './steady-state.ts';
import type { LabContainer, Target } from '../lab/index.ts';
import type { Drill } from './types.ts';
import { judgeConsistency, toConsistencyCheck } from './judge/verify.ts';
import { checkReplays, judgeExactlyOnce, readCreated, readWatermarks, type Watermarks } from './judge/exactly-once.ts';
import { recordConsistency } from '../stack/index.ts';
import { TIMED_OUT, withTimeout } from '../shared/time.ts';

export interface RunDrillOptions {
  drill: Drill;
  target: Target;
  /** --target: a service name (two names comma-separated for two-node drills) */
  targetOverride?: string;
  faultMs?: number;
  rate: number;
  seed?: number;
  reportDir: string;
  dryRun: boolean;
  /** asked on a TTY when the drill breaks quorum; `--yes` answers it */
  confirm: (question: string) => Promise<boolean>;
  endpoints: Endpoints;
  grafanaAuth: { user: string; password: string };
  metricsPort: number;
  /** the lab's socket for Prometheus (stack/config.ts labToolSocket); none in tests */
  metricsSocket?: string;
  database: string;
  print: (line: string) => void;
  /** test hook: runs after traffic stopped and before the judgement (e.g. tamper with the data) */
  beforeJudge?: (ctx: { target: Target; sql: NodeSql; run: SimulationRun }) => Promise<void>;
  /** how long to wait for a lab that is not (yet) in its steady state before refusing; default 60 */
  steadyWaitSeconds?: number;
  /** seconds of traffic before the fault and after recovery */
  settleSeconds?: number;
}

export class DrillRefused extends Error {}

export interface DrillOutcome {
  report?: DrillReport;
  files?: { json: string; md: string };
  plan: string[];
}

async function resolveVictims(drill: Drill, target: Target, override?: string): Promise<LabContainer[]> {
  const sel = drill.targets;
  const names = override?.split(',').map((s) => s.trim()).filter(Boolean);
  const pick = async (name: string): Promise<LabContainer> => {
    const c = await target.find(name);
    if (c.role !== sel.role) throw new DrillRefused(`${name} has role ${c.role}; ${drill.name} acts on ${sel.role} containers only`);
    return c;
  };
  switch (sel.kind) {
    case 'one':
      return [await pick(names?.[0] ?? sel.default)];
    case 'two': {
      const two = names && names.length === 2 ? names : sel.default;
      if (two[0] === two[1]) throw new DrillRefused('two different targets are needed');
      return Promise.all(two.map(pick));
    }
    case 'all': {
      const all = await target.list(sel.role);
      if (all.length === 0) throw new DrillRefused(`no ${sel.role} container labelled for project ${target.project}`);
      return all;
    }
  }
}

export async function runDrill(o: RunDrillOptions): Promise<DrillOutcome> {
  const { drill, target, print } = o;
  const log: string[] = [];
  const say = (line: string): void => {
    log.push(`${new Date().toISOString()} ${line}`);
    print(line);
  };
  const faultMs = o.faultMs ?? drill.defaultFaultSeconds * 1000;
  const victims = await resolveVictims(drill, target, o.targetOverride);
  const plan = [
    `drill ${drill.name} on project ${target.project} (${target.kind}): ${drill.description}`,
    `targets: ${victims.map((v) => `${v.name} (${v.containerName}, ${v.state})`).join(', ')}`,
    `1. check the steady state (3 nodes Primary/Synced, HAProxy all UP, shop ready, error ratio and p99); refuse if unhealthy`,
    `2. background traffic: simulator at ${o.rate} journeys/s, no injected errors, for the whole drill`,
    `3. inject: ${describeFault(drill.fault, victims.map((v) => v.name), target.kind)}`,
    `4. hold ${faultMs / 1000} s while observing HAProxy, wsrep state, the shop and the clients`,
    `5. roll back (also on Ctrl-C or an error), then wait up to ${drill.recoveryBoundSeconds} s for the steady state`,
    `6. judge: ledger on each node (wsrep_sync_wait=1), invariants, cross-node checksums; report to ${o.reportDir}/`,
  ];
  if (drill.breaksQuorum) plan.push(`!! this drill breaks the Galera quorum (${drill.name}): the shop will refuse writes while it lasts`);
  if (o.dryRun) {
    for (const l of plan) print(l);
    print('(dry run: nothing touched)');
    return { plan };
  }
  if (drill.fault.kind === 'netem') {
    const problem = await netemProblem(target, await netToolsImage(target, victims[0] as LabContainer, print));
    if (problem) throw new DrillRefused(problem);
  }
  if (drill.breaksQuorum && !(await o.confirm(`${drill.name} breaks the Galera quorum of project ${target.project}. Run it?`))) {
    throw new DrillRefused(`${drill.name} breaks quorum: not confirmed (pass --yes to run it without a TTY)`);
  }
  for (const l of plan) say(l);

  const sql = new NodeSql(target, o.database);
  // a lab just out of another drill settles within a minute; wait that long, then refuse
  let before = await checkSteadyState(target, sql, o.endpoints);
  const settleUntil = Date.now() + (o.steadyWaitSeconds ?? 60) * 1000;
  while (!before.ok && Date.now() < settleUntil) {
    say(`waiting for the steady state: ${before.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`).join('; ')}`);
    await sleep(5_000);
    before = await checkSteadyState(target, sql, o.endpoints);
  }
  for (const c of before.checks) say(`steady state: ${c.ok ? 'ok ' : 'BAD'} ${c.name}: ${c.detail}`);
  if (!before.ok) throw new DrillRefused('the lab is not in its steady state; refusing to start (run `smartshop chaos status`, or `smartshop chaos recover`)');

  const galera = await target.list('galera');
  const durability = galera[0] ? (await target.envOf(galera[0])).DURABILITY ?? 'strict' : undefined;
  const startedAt = new Date().toISOString();
  const metrics = new ChaosMetrics();
  const metricsProblem = await metrics.serve(o.metricsPort, o.metricsSocket);
  if (metricsProblem) say(metricsProblem);
  const labels = { drill: drill.name, target: victims.map((v) => v.name).join(',') };
  metrics.faultActive.set(labels, 0);

  // exactly-once drills: the ids before the traffic, and clients that retry each key until
  // answered (bounded: 120 attempts at most 1 s apart) and keep every answer for the replays
  let marks: Watermarks | undefined;
  if (drill.exactlyOnce) {
    const node = galera.find((n) => n.state === 'running');
    marks = node ? await readWatermarks(sql, node) : undefined;
  }
  const persistent = drill.exactlyOnce ? { retries: 120, maxBackoffMs: 1_000, recordAnswers: true } : {};
  const run = startRun({ target: o.endpoints.api, rate: o.rate, seed: o.seed, mix: { errorRate: 0 }, mode: `chaos:${drill.name}`, concurrency: 100, ...persistent });
  const observer = new Observer({
    target,
    sql,
    api: o.endpoints.api,
    haproxyStats: o.endpoints.haproxyStats,
    victims: victims.map((v) => v.name),
    clientOutcomes: () => run.stats.snapshot().requests.byOutcome,
    watchGalera: drill.targets.role === 'galera',
  });
  observer.mark('traffic-start', `simulator seed ${run.seed}, ${o.rate} journeys/s`);
  observer.start();

  const interrupt = new AbortController();
  const onSigint = (): void => {
    if (interrupt.signal.aborted) say('rollback already in progress; waiting for it to finish (the lab would stay broken otherwise)');
    else say('Ctrl-C: rolling back now');
    interrupt.abort();
  };
  process.on('SIGINT', onSigint);
  const pause = (ms: number): Promise<void> => sleep(ms, undefined, { signal: interrupt.signal }).catch(() => undefined);
  const settle = (o.settleSeconds ?? 3) * 1000;

  let fault: InjectedFault | undefined;
  let annotation: number | undefined;
  const rollbackProblems: string[] = [];
  const grafana = { url: o.endpoints.grafana, ...o.grafanaAuth };
  try {
    await pause(settle);
    if (!interrupt.signal.aborted) {
      observer.setPhase('fault');
      const at = Date.now();
      observer.mark('fault-start', describeFault(drill.fault, victims.map((v) => v.name), target.kind), at);
      metrics.faultActive.set(labels, 1);
      metrics.injections.inc(labels);
      annotation = await annotateStart(grafana, at, drill.name, `chaos ${drill.name} on ${labels.target}`);
      try {
        fault = await injectFault(drill.fault, { target, sql, victims, log: say });
      } catch (err) {
        say(`injection failed: ${(err as Error).message}; recovering the lab`);
        throw err;
      }
      say(`fault injected: ${fault.description}`);
      await pause(faultMs);
    }
  } catch (err) {
    rollbackProblems.push(`drill error: ${(err as Error).message}`);
  } finally {
    observer.setPhase('recovering');
    observer.mark('rollback-start', interrupt.signal.aborted ? 'interrupted (Ctrl-C)' : 'fault held for its duration');
    if (fault) {
      const problems = await fault.rollback();
      rollbackProblems.push(...problems);
    } else if (observer.events.some((e) => e.kind === 'fault-start')) {
      try {
        const r = await recoverLab(target, sql, say); // injection half-done: undo whatever is there
        rollbackProblems.push(...r.problems);
      } catch (err) {
        rollbackProblems.push(`recovery after the failed injection: ${(err as Error).message}`);
      }
    }
    metrics.faultActive.set(labels, 0);
    observer.mark('recovery', rollbackProblems.length === 0 ? 'rollback done' : `rollback with problems: ${rollbackProblems.join('; ')}`);
  }

  // wait for the steady state, from direct probes (Prometheus' 1-minute windows still hold the fault)
  // a rollback that left no Galera node running cannot recover by itself: do not wait the whole bound
  const galeraNow = await target.list('galera').catch(() => []);
  const hopeless = rollbackProblems.length > 0 && galeraNow.every((n) => n.state !== 'running');
  const until = Date.now() + (hopeless ? 10 : drill.recoveryBoundSeconds) * 1000;
  // never throws: a Docker engine that vanished mid-drill is an unhealthy lab, not a crash that leaves traffic running
  const probeState = (): Promise<SteadyState> =>
    checkSteadyState(target, sql, o.endpoints, undefined, false).catch((err: unknown) => ({ ok: false, checks: [{ name: 'lab reachable', ok: false, detail: (err as Error).message }] }));
  let after = await probeState();
  while (!after.ok && Date.now() < until) {
    await sleep(2_000);
    after = await probeState();
  }
  const recovered = after.ok;
  observer.closeFaultWindow();
  if (recovered) observer.mark('steady-state-back', 'all steady-state checks pass');
  else say(`!! steady state NOT back after ${drill.recoveryBoundSeconds} s: ${after.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`).join('; ')}`);
  if (recovered && !interrupt.signal.aborted) await sleep(settle);

  run.stop();
  if ((await withTimeout(run.done, 30_000)) === TIMED_OUT) {
    run.abort();
    await withTimeout(run.done, 10_000);
  }
  observer.mark('traffic-stop', `${run.stats.snapshot().requests.total} requests`);
  observer.setPhase('after');
  observer.stop();
  process.off('SIGINT', onSigint);
  await annotateEnd(grafana, annotation, Date.now(), `chaos ${drill.name}: fault window`);

  if (o.beforeJudge) await o.beforeJudge({ target, sql, run });

  say('judging: ledger, invariants and checksums on every node directly');
  const ledgerAll = run.ledger.export();
  const ledger = fromSimulatorLedger(ledgerAll);
  const nodes = (await target.list('galera').catch(() => [])).filter((n) => n.state === 'running');
  const judged: Judged = {
    ledger: await checkLedger(sql, nodes, ledger).catch((err: unknown) => ({ error: (err as Error).message })),
    invariants: await checkInvariants(sql, nodes).catch((err: unknown) => ({ error: (err as Error).message })),
    consistency: await judgeConsistency(target, o.database).catch((err: unknown) => ({ error: (err as Error).message })),
  };
  if (drill.exactlyOnce) {
    const node = nodes[0];
    if (marks === undefined || node === undefined) judged.exactlyOnce = { error: 'no running Galera node to read the watermarks or the rows from' };
    else {
      say(`exactly once: reading the rows created since the drill began, re-sending ${ledgerAll.answers.length} answered keys`);
      judged.exactlyOnce = await (async () => judgeExactlyOnce(ledgerAll, await readCreated(sql, node, marks), await checkReplays(o.endpoints.api, ledgerAll.answers)))().catch(
        (err: unknown) => ({ error: (err as Error).message }),
      );
    }
  }
  // the last check, exported for the Galera dashboard and GaleraNodesDiverged (compose: the
  // project's node-exporter reads the folder); a failure to write is a log line, not a verdict
  if (target.kind === 'compose' && !('error' in judged.consistency)) {
    await recordConsistency({ project: target.project }, toConsistencyCheck(judged.consistency, galera.length), { warn: say });
  }
  if (nodes.length < galera.length) {
    const c = ledger;
    judged.ledger = { error: `only ${nodes.length} of ${galera.length} Galera nodes are running; ${c.users.length} users, ${c.orders.length} orders, ${c.payments.length} payments acknowledged and NOT verified` };
  }

  const probes = observer.probes;
  const p99 = (phase: string): number | undefined => percentile(probes.filter((p) => p.phase === phase).map((p) => p.ms), 99);
  const status503 = probes.filter((p) => p.status === 503 && p.phase !== 'before');
  const obs = {
    clientOutcomesDuringFault: observer.clientOutcomesSinceFault(),
    probe503: status503.length,
    probe503WithoutRetryAfter: status503.filter((p) => !p.retryAfter).length,
    haproxyMarkedTargetDown: observer.haproxyObserved ? observer.haproxyMarkedDown : undefined,
    targetLeftPrimary: observer.targetLeftPrimary,
    probeP99BeforeMs: p99('before'),
    probeP99DuringMs: p99('fault'),
    recovered,
    rollbackProblems,
  };
  const verdict = decideVerdict(drill, obs, judged, { durability });
  const byStatus: Record<string, number> = {};
  for (const p of probes) byStatus[String(p.status)] = (byStatus[String(p.status)] ?? 0) + 1;
  const integrity = integritySection(judged.ledger, judged.invariants);
  const lostIds = [...integrity.missing.map((m) => `${m.kind} ${m.id}`), ...integrity.regressed.map((m) => `${m.kind} ${m.id}`)];
  const snap = run.stats.snapshot();
  const boot = fault?.bootstrap?.();
  const report: DrillReport = {
    drill: drill.name,
    description: drill.description,
    proves: drill.proves,
    project: target.project,
    runtime: target.kind,
    targets: victims.map((v) => v.name),
    fault: describeFault(drill.fault, victims.map((v) => v.name), target.kind),
    durability,
    startedAt,
    endedAt: new Date().toISOString(),
    options: { faultSeconds: faultMs / 1000, rate: o.rate, seed: run.seed },
    steadyStateBefore: before.checks,
    steadyStateAfter: after.checks,
    timeline: buildTimeline(observer.events),
    clientErrorsDuringFault: obs.clientOutcomesDuringFault,
    traffic: { requests: snap.requests.total, byOutcome: snap.requests.byOutcome, uncertainWrites: run.ledger.counts().uncertain },
    probes: { total: probes.length, byStatus, p99BeforeMs: obs.probeP99BeforeMs, p99DuringMs: obs.probeP99DuringMs, status503WithoutRetryAfter: obs.probe503WithoutRetryAfter },
    haproxyMarkedTargetDown: obs.haproxyMarkedTargetDown,
    targetLeftPrimary: obs.targetLeftPrimary,
    bootstrap: boot ? { chosen: boot.choice.ok ? boot.choice.node : undefined, reason: boot.choice.reason, positions: boot.positions, problems: boot.problems } : undefined,
    writes: { acknowledged: integrity.acknowledged.users + integrity.acknowledged.orders + integrity.acknowledged.payments, lost: lostIds.length, lostIds },
    integrity,
    consistency: judged.consistency,
    exactlyOnce: judged.exactlyOnce,
    nodesAfter: await readNodeStates(target, sql).catch(() => []),
    rollbackProblems,
    verdict,
    log,
  };
  const files = await writeReport(o.reportDir, report, drill);
  await metrics.close();
  print(`verdict: ${verdict.verdict} — ${verdict.reason}`);
  if (rollbackProblems.length > 0) print(`!!! THE LAB WAS NOT FULLY RESTORED: ${rollbackProblems.join('; ')} — run \`smartshop chaos recover\``);
  print(`report: ${files.md} (and .json)`);
  return { report, files, plan };
}
