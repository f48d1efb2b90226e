// Phase 4: recovery. The steady state must come back within the drill's bound, judged from
// direct probes (Prometheus' 1-minute windows still hold the fault); an alert drill's alert
// must then resolve within its own bound; then the traffic stops.
import { setTimeout as sleep } from 'node:timers/promises';
import { TIMED_OUT, withTimeout } from '../../shared/time.ts';
import { drillSteadyState, type SteadyState } from '../steady-state.ts';
import type { BrokerObservation } from '../observe/broker-watch.ts';
import type { DrillContext } from './context.ts';
import type { Traffic } from './method.ts';
import { failing } from './steady-state-hypothesis.ts';

const EDGE_SETTLE_MS = 5_000;

/** A rollback that left no Galera node running cannot recover by itself: do not wait the whole bound. */
export function recoveryWaitSeconds(boundSeconds: number, rollbackProblems: string[], galeraStates: string[]): number {
  const hopeless = rollbackProblems.length > 0 && galeraStates.every((s) => s !== 'running');
  return hopeless ? 10 : boundSeconds;
}

export interface Recovery {
  recovered: boolean;
  after: SteadyState;
  /** an alert drill: its alert resolved within its bound, counted from the end of the rollback */
  alertResolved?: boolean;
  /** a lab with a broker: the queue's leader before and after, the outbox's largest backlog */
  broker?: BrokerObservation;
}

export async function awaitRecovery(ctx: DrillContext, traffic: Traffic, rollbackProblems: string[]): Promise<Recovery> {
  const { target, sql, o, drill, say } = ctx;
  const rolledBack = new Date();
  const galeraNow = await target.list('galera').catch(() => []);
  const until = Date.now() + recoveryWaitSeconds(drill.recoveryBoundSeconds, rollbackProblems, galeraNow.map((n) => n.state)) * 1000;
  // never throws: a Docker engine that vanished mid-drill is an unhealthy lab, not a crash that leaves traffic running
  const probeState = (): Promise<SteadyState> =>
    drillSteadyState(target, sql, o.endpoints, drill.edge !== undefined, false).catch((err: unknown) => ({ ok: false, checks: [{ name: 'lab reachable', ok: false, detail: (err as Error).message }] }));
  let after = await probeState();
  // a poll takes about a second itself (its parts side by side): one more a second after it
  while (!after.ok && Date.now() < until) {
    await sleep(1_000);
    after = await probeState();
  }
  const { observer, run } = traffic;
  observer.closeFaultWindow();
  if (after.ok) observer.mark('steady-state-back', 'all steady-state checks pass');
  else say(`!! steady state NOT back after ${drill.recoveryBoundSeconds} s: ${failing(after)}`);
  const broker = await traffic.broker?.finish();
  // an alert resolves against the traffic that follows: it keeps running meanwhile. A lab that
  // did not come back, or a Ctrl-C, does not wait out the alert's bound.
  const alertResolved = ctx.alert === undefined ? undefined
    : after.ok && !ctx.interrupt.signal.aborted ? await ctx.alert.awaitResolved(rolledBack, ctx.interrupt.signal) : false;
  // the edge's drills judge the clients served after its return (judge/edge.ts): a few seconds of them
  if (after.ok && !ctx.interrupt.signal.aborted) await sleep(drill.edge ? Math.max(ctx.settleMs, EDGE_SETTLE_MS) : ctx.settleMs);

  run.stop();
  if ((await withTimeout(run.done, 30_000)) === TIMED_OUT) {
    run.abort();
    await withTimeout(run.done, 10_000);
  }
  observer.mark('traffic-stop', `${run.stats.snapshot().requests.total} requests`);
  observer.setPhase('after');
  observer.stop();
  return { recovered: after.ok, after, ...(alertResolved === undefined ? {} : { alertResolved }), ...(broker ? { broker } : {}) };
}
