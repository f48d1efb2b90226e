// Polls the lab while a drill runs and turns what it sees into timeline events: a probe of
// the shop (status, Retry-After, latency) and each node's wsrep state once a second;
// HAProxy's view of the target and the simulator's cumulative outcomes four times a second,
// so detection and the client-visible outage are timed to a quarter of a second; on a lab with
// a broker, the outbox's backlog and (broker drills) the queue's leader every two seconds.
// Every node's state (Galera, HAProxy's view of it, the broker's containers) is kept as lanes
// for the report's pictures (lanes.ts), from the traffic's start to the recovery's end.
import { HttpClient } from '../../shared/http-client.ts';
import { LAB_TOOLS_HEADERS } from '../../shared/rate-limit.ts';
import type { NodeSql } from '../../lab/index.ts';
import { readNodeStates } from '../../lab/index.ts';
import type { LabContainer, NodeState, Target } from '../../lab/index.ts';
import type { TimelineEvent } from '../types.ts';
import { countClientErrors, isClientError, outcomeDelta } from '../report/timeline.ts';
import { fetchHaproxyServers, isOut, isUp } from '../../lab/index.ts';
import type { BrokerWatch } from './broker-watch.ts';
import { haproxyLabel, LaneRecorder } from './lanes.ts';

export type Phase = 'before' | 'fault' | 'recovering' | 'after';

/** A node's lane label: its container's state, or what it says of itself. */
const nodeLabel = (st: NodeState): string =>
  st.docker !== 'running' ? st.docker : st.clusterStatus === undefined ? 'not answering' : st.clusterStatus !== 'Primary' ? st.clusterStatus : (st.localState ?? 'Primary');

export interface ProbeSample {
  at: number;
  phase: Phase;
  status: number | 'timeout' | 'error';
  retryAfter: boolean;
  ms: number;
}

export interface ObserverOptions {
  target: Target;
  sql: NodeSql;
  api: string;
  haproxyStats: string;
  /** service names of the faulted containers */
  victims: string[];
  /** cumulative client outcomes of the background traffic */
  clientOutcomes: () => Record<string, number>;
  watchGalera: boolean;
  /** a lab with a broker: sampled from the fault to the end of the recovery */
  broker?: BrokerWatch;
  intervalMs?: number;
  /** HAProxy and client outcomes; default 250 ms */
  fastIntervalMs?: number;
}

export class Observer {
  readonly events: TimelineEvent[] = [];
  readonly probes: ProbeSample[] = [];
  /** every node's state while the drill runs, for the pictures */
  readonly lanes = new LaneRecorder();
  phase: Phase = 'before';
  haproxyMarkedDown: boolean | undefined;
  targetLeftPrimary: boolean | undefined;
  private haproxySeen = false;
  private timer: NodeJS.Timeout | undefined;
  private fastTimer: NodeJS.Timeout | undefined;
  private brokerTimer: NodeJS.Timeout | undefined;
  private busy = false;
  private haproxyBusy = false;
  private nodesTimer: NodeJS.Timeout | undefined;
  /** nodes whose last read has not answered yet (a frozen one): not asked again meanwhile */
  private readonly nodesAsked = new Set<string>();
  private brokersBusy = false;
  /** 2xx count when the first client error was seen; the next 2xx after it ends the wait */
  private successesAtFirstError: number | undefined;
  private lastErrors = 0;
  private baseline: Record<string, number> = {};
  /** outcomes when the fault window closed (steady state back, or the recovery bound) */
  private closing: Record<string, number> | undefined;
  private readonly http: HttpClient;

  constructor(private readonly o: ObserverOptions) {
    this.http = new HttpClient({ baseUrl: o.api, timeoutMs: 5_000, headers: LAB_TOOLS_HEADERS });
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.o.intervalMs ?? 1_000);
    this.fastTimer = setInterval(() => void this.fastTick(), this.o.fastIntervalMs ?? 250);
    // its own timer: a node slow to answer must not delay the probes' cadence
    this.nodesTimer = setInterval(() => void this.nodesTick(), this.o.intervalMs ?? 1_000);
    const broker = this.o.broker;
    if (broker) {
      this.brokerTimer = setInterval(() => {
        // observing must never break the drill
        if (this.phase === 'fault' || this.phase === 'recovering') broker.sample(this.phase === 'fault').catch(() => undefined);
      }, 2_000);
    }
  }

  stop(): void {
    clearInterval(this.timer);
    clearInterval(this.fastTimer);
    clearInterval(this.nodesTimer);
    clearInterval(this.brokerTimer);
  }

  mark(kind: TimelineEvent['kind'], detail: string, at = Date.now()): void {
    this.events.push({ at, kind, detail });
  }

  setPhase(phase: Phase): void {
    if (phase === 'after') this.closeFaultWindow();
    if (phase === 'fault') {
      this.baseline = { ...this.o.clientOutcomes() };
      this.haproxyMarkedDown = false;
      this.targetLeftPrimary = false;
    }
    this.phase = phase;
  }

  private async tick(): Promise<void> {
    if (this.busy) return; // a slow poll (paused node, hung exec) must not pile up
    this.busy = true;
    try {
      await Promise.all([this.probe(), this.o.watchGalera ? this.watchTargets() : Promise.resolve()]);
    } catch {
      // observing must never break the drill
    } finally {
      this.busy = false;
    }
  }

  /**
   * Each node the drill does not target, read on its own (a slow one must not hold the others
   * back), and the broker's containers. The targets are read only by watchTargets, during the
   * fault: an exec started while a pause drill SIGSTOPs a container's processes can leave its
   * `runc init` stopped, and every later exec into that container hangs (a rehearsal hung so).
   */
  private async nodesTick(): Promise<void> {
    if (this.phase === 'after') return;
    try {
      for (const node of await this.o.target.list('galera')) {
        if (this.o.victims.includes(node.name) || this.nodesAsked.has(node.name)) continue;
        this.nodesAsked.add(node.name);
        void this.watchNode(node).catch(() => undefined).finally(() => this.nodesAsked.delete(node.name));
      }
      if (!this.brokersBusy) {
        this.brokersBusy = true;
        await this.watchBrokers().finally(() => { this.brokersBusy = false; });
      }
    } catch {
      // observing must never break the drill
    }
  }

  private async fastTick(): Promise<void> {
    this.watchClients(); // synchronous: a slow HAProxy answer must not delay the client marks
    if (this.haproxyBusy) return;
    this.haproxyBusy = true;
    try {
      await this.watchHaproxy();
    } catch {
      // observing must never break the drill
    } finally {
      this.haproxyBusy = false;
    }
  }

  private async probe(): Promise<void> {
    const r = await this.http.get('/api/stats');
    this.probes.push({
      at: Date.now(),
      phase: this.phase,
      status: r.kind === 'response' ? r.status : r.kind,
      retryAfter: r.kind === 'response' && r.headers.get('retry-after') !== null,
      ms: r.durationMs,
    });
  }

  private async watchHaproxy(): Promise<void> {
    if (this.phase === 'after') return;
    const servers = await fetchHaproxyServers(this.o.haproxyStats, 500);
    if (!servers) return;
    for (const s of servers) this.lanes.record(`${s.server} HAProxy`, haproxyLabel(s.status));
    if (this.phase === 'before') return;
    this.haproxySeen = true;
    const mine = servers.filter((s) => this.o.victims.includes(s.server));
    if (this.phase === 'fault' && mine.length > 0 && mine.every((s) => isOut(s.status))) {
      if (!this.haproxyMarkedDown) this.mark('haproxy-marked-down', mine.map((s) => `${s.server} ${s.status}`).join(', '));
      this.haproxyMarkedDown = true;
    }
    if (this.phase === 'recovering' && this.haproxyMarkedDown && mine.length > 0 && mine.every((s) => isUp(s.status))) {
      this.mark('haproxy-marked-up', mine.map((s) => `${s.server} ${s.status}`).join(', '));
    }
  }

  /** A Galera node's state as a lane, stamped when it answered. */
  private async watchNode(node: LabContainer): Promise<void> {
    const [st] = await readNodeStates(this.o.target, this.o.sql, [node], 3_000);
    if (st !== undefined && this.phase !== 'after') this.lanes.record(`${st.node} Galera`, nodeLabel(st));
  }

  /** During the fault: the targets' state (their lanes), and whether one left the Primary Component. */
  private async watchTargets(): Promise<void> {
    if (this.phase !== 'fault') return;
    const nodes = (await this.o.target.list('galera')).filter((n) => this.o.victims.includes(n.name) && n.state === 'running');
    const states = await readNodeStates(this.o.target, this.o.sql, nodes);
    for (const st of states) this.lanes.record(`${st.node} Galera`, nodeLabel(st));
    const left = states.filter((s) => s.clusterStatus !== undefined && (s.clusterStatus !== 'Primary' || s.ready === false));
    if (left.length > 0 && !this.targetLeftPrimary) {
      this.targetLeftPrimary = true;
      this.mark('target-left-primary', left.map((s) => `${s.node} ${s.clusterStatus} ready=${s.ready ? 'ON' : 'OFF'}`).join(', '));
    }
  }

  /** Each broker node's container state as a lane (a lab without a broker has none). */
  private async watchBrokers(): Promise<void> {
    if (this.phase === 'after') return;
    for (const b of await this.o.target.list('rabbitmq')) this.lanes.record(b.name, b.state);
  }

  private watchClients(): void {
    if (this.phase !== 'fault' && this.phase !== 'recovering') return;
    if (this.closing !== undefined) return; // the fault window is closed
    const delta = outcomeDelta(this.baseline, this.o.clientOutcomes());
    const errors = countClientErrors(delta);
    const successes = Object.entries(delta).filter(([k]) => /^2\d\d$/.test(k)).reduce((n, [, v]) => n + v, 0);
    if (errors > 0 && this.successesAtFirstError === undefined) {
      const kinds = Object.entries(delta)
        .filter(([k]) => isClientError(k))
        .map(([k, n]) => `${n} × ${k}`)
        .join(', ');
      this.mark('first-client-error', kinds);
      this.successesAtFirstError = successes;
    } else if (this.successesAtFirstError !== undefined && successes > this.successesAtFirstError && !this.events.some((e) => e.kind === 'first-success-after-error')) {
      this.mark('first-success-after-error', `${successes - this.successesAtFirstError} × 2xx`);
    }
    if (errors > this.lastErrors && this.lastErrors > 0) {
      // the newest one replaces the previous mark: the report keeps when client errors ended
      const i = this.events.findIndex((e) => e.kind === 'last-client-error');
      if (i >= 0) this.events.splice(i, 1);
      this.mark('last-client-error', `${errors} client errors so far`);
    }
    this.lastErrors = errors;
  }

  /** true when HAProxy answered at least once during the fault */
  get haproxyObserved(): boolean {
    return this.haproxySeen;
  }

  /** client outcomes from fault start to the close of the fault window (closeFaultWindow) */
  clientOutcomesSinceFault(): Record<string, number> {
    return outcomeDelta(this.baseline, this.closing ?? this.o.clientOutcomes());
  }

  /** called when the steady state is back: later client outcomes are not the fault's */
  closeFaultWindow(): void {
    this.closing ??= { ...this.o.clientOutcomes() };
  }
}
