// Phase 2: the method. Background traffic for the whole drill (the simulator, keyed writes
// retried until answered for exactly-once drills), the observer watching HAProxy, wsrep
// state, the shop and the clients; then, after a settle, the fault, held for its duration (an
// alert drill holds it until its alert fired or its bound passed: judge/alert.ts).
// Ctrl-C or an error ends the hold early: the rollbacks run whatever happened here.
import { startRun, watchFlood, type Flood, type SimulationRun } from '../../simulator/index.ts';
import { describeFault, injectFault, type InjectedFault } from '../faults/index.ts';
import { readWatermarks, type Watermarks } from '../judge/exactly-once.ts';
import { annotateStart } from '../observe/grafana.ts';
import { BrokerWatch } from '../observe/broker-watch.ts';
import { Observer } from '../observe/observer.ts';
import { FULFILMENT_QUEUE } from '../../shared/queue-names.ts';
import { pause, type DrillContext } from './context.ts';
import { flagsFile } from '../../lab/paths.ts';

export interface Traffic {
  run: SimulationRun;
  observer: Observer;
  /** a lab with a broker: its outbox backlog and (broker drills) the queue's leader */
  broker?: BrokerWatch;
  /** exactly-once drills: the highest ids before the traffic began */
  marks?: Watermarks;
}

export interface Injection {
  fault?: InjectedFault;
  /** why the method ended early (the injection failed, the lab vanished) */
  error?: string;
  /** the Grafana annotation of the fault window, when Grafana answers */
  annotation?: number;
}

export async function startTraffic(ctx: DrillContext): Promise<Traffic> {
  const { drill, target, sql, o, victims } = ctx;
  let marks: Watermarks | undefined;
  if (drill.exactlyOnce) {
    const node = (await target.list('galera')).find((n) => n.state === 'running');
    marks = node ? await readWatermarks(sql, node) : undefined;
  }
  // exactly once: clients retry each key until answered (bounded: 120 attempts at most 1 s
  // apart) and keep every answer for the replays the judgement re-sends
  const persistent = drill.exactlyOnce ? { retries: 120, maxBackoffMs: 1_000, recordAnswers: true } : {};
  // a drill may set its own rate (an alert's rule needs so much traffic); 0 is none: no journey starts
  const rate = drill.rate ?? o.rate;
  const arrivals = rate > 0 ? { rate } : { cycles: 0 };
  // the edge's drills: the traffic goes through the edge, multiplied by loadGeneratorFlood as
  // `smartshop simulate` is (each journey a client of its own, the flood's one client)
  const via = (drill.edge ? o.endpoints.edge : undefined) ?? o.endpoints.api; // runner.ts refused an edge drill without one
  const flood: Flood | undefined = drill.edge ? watchFlood(flagsFile(target.project)) : undefined;
  const run = startRun({
    target: via, ...arrivals, seed: o.seed, mix: { errorRate: 0 }, mode: `chaos:${drill.name}`, concurrency: 100, keepSamples: true, ...persistent,
    ...(flood ? { rateMultiplier: () => flood.multiplier() } : {}),
  });
  if (flood) void run.done.then(() => flood.stop());
  // the broker's drills follow the queue's leader; every drill on a lab with a broker, the outbox
  const hasBroker = (await target.list('rabbitmq').catch(() => [])).length > 0;
  const broker = hasBroker
    ? new BrokerWatch(target, o.endpoints.api, FULFILMENT_QUEUE, drill.targets.role === 'rabbitmq', (c) => observer.mark('queue-leader', c.detail, c.at))
    : undefined;
  const observer: Observer = new Observer({
    target,
    sql,
    api: o.endpoints.api,
    haproxyStats: o.endpoints.haproxyStats,
    victims: victims.map((v) => v.name),
    clientOutcomes: () => run.stats.snapshot().requests.byOutcome,
    watchGalera: drill.targets.role === 'galera',
    ...(broker ? { broker } : {}),
  });
  observer.mark('traffic-start', rate > 0 ? `simulator seed ${run.seed}, ${rate} journeys/s` : 'no traffic (the drill asks for none)');
  observer.start();
  return { run, observer, marks, ...(broker ? { broker } : {}) };
}

export async function injectAndHold(ctx: DrillContext, traffic: Traffic): Promise<Injection> {
  const { observer } = traffic;
  const { drill, target, sql, victims, say } = ctx;
  const injection: Injection = {};
  try {
    await pause(ctx, ctx.settleMs);
    if (ctx.interrupt.signal.aborted) return injection;
    await traffic.broker?.prepare();
    observer.setPhase('fault');
    const at = Date.now();
    traffic.broker?.faultBegins(at);
    observer.mark('fault-start', describeFault(drill.fault, victims.map((v) => v.name), target.kind), at);
    ctx.metrics.faultActive.set(ctx.labels, 1);
    ctx.metrics.injections.inc(ctx.labels);
    injection.annotation = await annotateStart(ctx.grafana, at, drill.name, `chaos ${drill.name} on ${ctx.labels.target}`);
    try {
      injection.fault = await injectFault(drill.fault, { target, sql, victims, log: say, ledgerNow: () => traffic.run.ledger.export(), pause: (ms) => pause(ctx, ms) });
    } catch (err) {
      say(`injection failed: ${(err as Error).message}; recovering the lab`);
      throw err;
    }
    say(`fault injected: ${injection.fault.description}`);
    if (ctx.alert) await ctx.alert.hold(new Date(at), ctx.interrupt.signal);
    else await pause(ctx, ctx.faultMs);
  } catch (err) {
    injection.error = `drill error: ${(err as Error).message}`;
  }
  return injection;
}
