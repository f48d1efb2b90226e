// The one generic runner (after Chaos Toolkit's experiment): for any drill, a plan, then
// named phases, each a function of its own in phases/ and each recorded in the journal:
// steady-state hypothesis → method (traffic, inject, hold) → rollbacks (always, also on
// Ctrl-C or an error) → recovery within a bound → judgement → report.
import { annotateEnd } from './observe/grafana.ts';
import { ChaosMetrics } from './observe/metrics-server.ts';
import { describeFault, faultRefusal } from './faults/index.ts';
import { NodeSql, type LabContainer, type Target } from '../lab/index.ts';
import { queueReplicas } from '../lab/broker.ts';
import type { DrillReport } from './report/write.ts';
import type { Drill } from './types.ts';
import { DrillRefused, type DrillContext, type RunDrillOptions } from './phases/context.ts';
import { Journal, PHASES } from './phases/journal.ts';
import { steadyStateHypothesis } from './phases/steady-state-hypothesis.ts';
import { injectAndHold, startTraffic, type Traffic } from './phases/method.ts';
import { rollBack } from './phases/rollbacks.ts';
import { awaitRecovery } from './phases/recovery.ts';
import { judgement, judgementSummary } from './phases/judgement.ts';
import { report } from './phases/report.ts';
import { AlertWatch } from './judge/alert.ts';

export { DrillRefused, type RunDrillOptions } from './phases/context.ts';

export interface DrillOutcome {
  report?: DrillReport;
  files?: { json: string; md: string; html?: string };
  plan: string[];
  /** Ctrl-C came during the drill (it was rolled back): a run of several drills stops */
  interrupted?: boolean;
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
    case 'queue-leader': {
      if (names?.[0]) return [await pick(names[0])];
      const replicas = await queueReplicas(target);
      const leader = replicas?.find((q) => q.queue === sel.queue)?.leader;
      if (leader === undefined) throw new DrillRefused(`no leader of queue ${sel.queue} found (${replicas === undefined ? 'no broker node answers rabbitmqctl' : 'the queue has none now'})`);
      return [await pick(leader)];
    }
    case 'all': {
      const all = await target.list(sel.role);
      if (all.length === 0) throw new DrillRefused(`no ${sel.role} container labelled for project ${target.project}`);
      return all;
    }
  }
}

/** An alert drill's judge, on the lab console's endpoints; refused when it cannot be built. */
function alertWatch(o: RunDrillOptions, say: (line: string) => void): AlertWatch {
  const x = o.drill.alert;
  const consoleUrl = o.endpoints.console;
  if (!x) throw new Error(`${o.drill.name} is not an alert drill`);
  if (!consoleUrl) throw new DrillRefused(`${o.drill.name} judges what the lab console receives: no console URL given`);
  try {
    return new AlertWatch(x, {
      endpoints: { api: o.endpoints.api, prometheus: o.endpoints.prometheus, alertmanager: `${consoleUrl}/alertmanager`, console: consoleUrl },
      ...(o.alertRules ? { rules: o.alertRules } : {}),
      ...(o.alertMarginSeconds === undefined ? {} : { marginSeconds: o.alertMarginSeconds }),
      say,
    });
  } catch (err) {
    throw new DrillRefused((err as Error).message);
  }
}

function planOf(o: RunDrillOptions, victims: LabContainer[], faultMs: number, alert?: AlertWatch): string[] {
  const { drill, target } = o;
  const rate = drill.rate ?? o.rate;
  const hold = alert ? `hold until ${alert.describe()}` : `hold ${faultMs / 1000} s`;
  const plan = [
    `drill ${drill.name} on project ${target.project} (${target.kind}): ${drill.description}`,
    `targets: ${victims.map((v) => `${v.name} (${v.containerName}, ${v.state})`).join(', ')}`,
    `1. steady-state hypothesis: 3 nodes Primary/Synced, HAProxy all UP, shop ready, error ratio and p99${drill.edge ? ', the edge forwarding' : ''}; refuse if unhealthy`,
    `2. method: ${rate > 0 ? `background traffic (simulator at ${rate} journeys/s, no injected errors, for the whole drill)` : 'no traffic'}; inject: ${describeFault(drill.fault, victims.map((v) => v.name), target.kind)}; ${hold} while observing HAProxy, wsrep state, the shop and the clients`,
    `3. rollbacks: undo the fault (also on Ctrl-C or an error)`,
    `4. recovery: the steady state back within ${drill.recoveryBoundSeconds} s${alert ? `, then ${drill.alert?.alert} resolved` : ''}`,
    `5. judgement: ledger on each node (wsrep_sync_wait=1), invariants, cross-node checksums${drill.exactlyOnce ? ', exactly once' : ''}${alert ? `; the alert: fired and resolved within its bounds, nothing unrelated notified` : ''}`,
    `6. report to ${o.reportDir}/`,
  ];
  if (drill.breaksQuorum) plan.push(`!! this drill breaks the Galera quorum (${drill.name}): the shop will refuse writes while it lasts`);
  return plan;
}

export async function runDrill(o: RunDrillOptions): Promise<DrillOutcome> {
  const { drill, target, print } = o;
  const faultMs = o.faultMs ?? drill.defaultFaultSeconds * 1000;
  const victims = await resolveVictims(drill, target, o.targetOverride);
  const journal = new Journal(print);
  const alert = drill.alert ? alertWatch(o, (line) => journal.say(line)) : undefined;
  const plan = planOf(o, victims, faultMs, alert);
  if (o.dryRun) {
    for (const l of plan) print(l);
    print('(dry run: nothing touched)');
    return { plan };
  }
  const refusal = await faultRefusal(drill.fault, target, victims, print);
  if (refusal) throw new DrillRefused(`${drill.name}: ${refusal}`);
  // The Swarm stack runs the same edge (edge/), but its drills are compose's: the flood is a
  // fault flag, and the Swarm stack has no flags file; edge-stop stops the edge until it is
  // started again, where Swarm would start a new task at once.
  if (drill.edge && target.kind !== 'compose') throw new DrillRefused(`${drill.name} is judged on the compose lab only (the flood is a fault flag, and the ${target.kind} stack has no flags file; Swarm restarts a stopped edge at once)`);
  if (drill.edge && !o.endpoints.edge) throw new DrillRefused(`${drill.name} sends its traffic through the edge: no edge URL given (--edge, EDGE_PORT)`);
  if (drill.edge && (drill.rate ?? o.rate) <= 0) throw new DrillRefused(`${drill.name} judges the edge's clients: it needs traffic (--rate above 0)`);
  if (drill.breaksQuorum && !(await o.confirm(`${drill.name} breaks the Galera quorum of project ${target.project}. Run it?`))) {
    throw new DrillRefused(`${drill.name} breaks quorum: not confirmed (pass --yes to run it without a TTY)`);
  }
  const ctx: DrillContext = {
    o, drill, target, victims, journal, faultMs,
    sql: new NodeSql(target, o.database),
    say: (line) => journal.say(line),
    settleMs: (o.settleSeconds ?? 3) * 1000,
    labels: { drill: drill.name, target: victims.map((v) => v.name).join(',') },
    metrics: new ChaosMetrics(),
    grafana: { url: o.endpoints.grafana, ...o.grafanaAuth },
    interrupt: new AbortController(),
    ...(alert ? { alert } : {}),
  };
  for (const l of plan) ctx.say(l);
  journal.onPhase = (phase) => ctx.metrics.enterPhase(drill.name, phase, PHASES);

  const before = await journal.phase('steady-state-hypothesis', async () => {
    const state = await steadyStateHypothesis(ctx);
    const alertState = await alert?.steady().catch((err: unknown) => {
      throw new DrillRefused((err as Error).message);
    });
    return { value: state, detail: `${state.checks.length} checks pass${alertState ? `; ${alertState}` : ''}` };
  });
  const galera = await target.list('galera');
  const durability = galera[0] ? (await target.envOf(galera[0])).DURABILITY ?? 'strict' : undefined;
  const startedAt = new Date().toISOString();
  const metricsProblem = await ctx.metrics.serve(o.metricsPort, o.metricsSocket);
  if (metricsProblem) ctx.say(metricsProblem);
  ctx.metrics.faultActive.set(ctx.labels, 0);

  const onSigint = (): void => {
    ctx.say(ctx.interrupt.signal.aborted ? 'rollback already in progress; waiting for it to finish (the lab would stay broken otherwise)' : 'Ctrl-C: rolling back now');
    ctx.interrupt.abort();
  };
  process.on('SIGINT', onSigint);
  let started: Traffic | undefined;
  try {
    const { traffic, injection } = await journal.phase('method', async () => {
      const t = await startTraffic(ctx);
      started = t;
      const i = await injectAndHold(ctx, t);
      const interrupted = ctx.interrupt.signal.aborted;
      return {
        value: { traffic: t, injection: i },
        detail: i.error ?? (i.fault ? `${i.fault.description}, held ${alert ? `until ${drill.alert?.alert} fired or its bound passed` : `${faultMs / 1000} s`}${interrupted ? ' (cut short by Ctrl-C)' : ''}` : 'interrupted before the fault'),
        outcome: i.error ? 'failed' : interrupted ? 'interrupted' : 'ok',
      };
    });
    const rollbackProblems = await journal.phase('rollbacks', async () => {
      const problems = await rollBack(ctx, traffic, injection);
      return { value: problems, detail: problems.length === 0 ? 'the lab is as it was' : problems.join('; '), outcome: problems.length === 0 ? 'ok' : 'failed' };
    });
    const recovery = await journal.phase('recovery', async () => {
      const r = await awaitRecovery(ctx, traffic, rollbackProblems);
      const alertBack = r.alertResolved === false ? `; ${drill.alert?.alert} not resolved within ${alert?.bounds.resolveSeconds} s` : '';
      return {
        value: r,
        detail: `${r.recovered ? 'steady state back' : `steady state not back within ${drill.recoveryBoundSeconds} s`}${alertBack}`,
        outcome: r.recovered && r.alertResolved !== false ? 'ok' : 'failed',
      };
    });
    process.off('SIGINT', onSigint);
    await annotateEnd(ctx.grafana, injection.annotation, Date.now(), `chaos ${drill.name}: fault window`);

    if (o.beforeJudge) await o.beforeJudge({ target, sql: ctx.sql, run: traffic.run });
    ctx.say('judging: ledger, invariants and checksums on every node directly');
    const { judged } = await journal.phase('judgement', async () => {
      const j = await judgement(ctx, traffic, injection, galera.length);
      return { value: j, detail: judgementSummary(j.judged) };
    });
    const written = await journal.phase('report', async () => {
      const r = await report(ctx, { startedAt, durability, before, traffic, injection, rollbackProblems, recovery, judged });
      return { value: r, detail: `${r.report.verdict.verdict}: ${r.files.md}` };
    });
    print(`verdict: ${written.report.verdict.verdict} — ${written.report.verdict.reason}`);
    if (rollbackProblems.length > 0) print(`!!! THE LAB WAS NOT FULLY RESTORED: ${rollbackProblems.join('; ')} — run \`smartshop chaos recover\``);
    print(`report: ${written.files.md} (and .json${written.files.html ? `; with charts: ${written.files.html}` : ''})`);
    return { ...written, plan, interrupted: ctx.interrupt.signal.aborted };
  } finally {
    process.off('SIGINT', onSigint);
    // a phase that threw must not leave the traffic running (recovery stops it otherwise)
    if (started !== undefined && !started.run.stopping) {
      started.run.abort();
      started.observer.stop();
    }
    await ctx.metrics.close();
  }
}
