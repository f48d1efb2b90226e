// The broker's side of a drill on a lab that runs one (issue 31): the outbox's backlog, what
// the shop could not hand to the broker yet (its own gauge on /metrics, cheap: every drill),
// and for the broker's drills the fulfilment queue's leader (before, each change, after), as
// a majority of the nodes' own Ra leaderboards tell it (rabbitmqctl eval in each: an Erlang VM
// per call, so only where the broker is what breaks, while the fault is on, never two at once).
import { queueLeaderByMajority } from '../../lab/broker.ts';
import type { Target } from '../../lab/index.ts';
import { HttpClient } from '../../shared/http-client.ts';
import { LAB_TOOLS_HEADERS } from '../../shared/rate-limit.ts';

/** What the report states of the broker. */
export interface BrokerObservation {
  queue: string;
  /** the queue's leader when the fault began, and when the lab was back (undefined: not asked, or none) */
  leaderBefore?: string;
  leaderAfter?: string;
  /** seconds from the fault to the first sample led by another node (undefined: no new leader seen) */
  newLeaderAfterSeconds?: number;
  /** the largest outbox backlog sampled from the fault to the end of the recovery (events not confirmed by the broker) */
  outboxMaxBacklog?: number;
  /** seconds from the fault to that largest backlog */
  outboxMaxAfterSeconds?: number;
}

export interface LeaderChange {
  at: number;
  detail: string;
}

/** The shop's outbox backlog gauge from its Prometheus text (undefined: not exported). */
export function outboxBacklogOf(metrics: string): number | undefined {
  const m = /^smartshop_outbox_backlog (\S+)$/m.exec(metrics);
  const n = m ? Number(m[1]) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

export class BrokerWatch {
  private readonly http: HttpClient;
  private faultAt: number | undefined;
  private leader: string | undefined;
  private readonly seen: BrokerObservation;
  private leaderBusy = false;
  private backlogBusy = false;

  /**
   * @param watchLeader ask the queue's leader (the broker's own drills)
   * @param onChange called when another node leads the queue (for the drill's timeline)
   */
  constructor(
    private readonly target: Target,
    api: string,
    queue: string,
    private readonly watchLeader: boolean,
    private readonly onChange: (change: LeaderChange) => void,
  ) {
    this.http = new HttpClient({ baseUrl: api, timeoutMs: 2_000, headers: LAB_TOOLS_HEADERS });
    this.seen = { queue };
  }

  /** Before the fault: who leads now (a rabbitmqctl call: not inside the fault's timing). */
  async prepare(): Promise<void> {
    if (!this.watchLeader) return;
    this.leader = await this.leaderNow();
    if (this.leader !== undefined) this.seen.leaderBefore = this.leader;
  }

  /** The fault's moment: samples count from here. */
  faultBegins(at: number): void {
    this.faultAt = at;
  }

  /**
   * One sample, from the fault to the end of the recovery; a sample still running is not
   * doubled. The leader is asked only while the fault is on and until another node leads:
   * beside the steady state's own rabbitmqctl while the nodes boot, asking more made the
   * broker drills' recovery 10 s longer (measured).
   */
  async sample(faultOn: boolean): Promise<void> {
    const leader = this.watchLeader && faultOn && this.seen.newLeaderAfterSeconds === undefined;
    await Promise.all([this.sampleBacklog(), leader ? this.sampleLeader() : Promise.resolve()]);
  }

  /** When the lab is back (or the recovery gave up): who leads then. */
  async finish(): Promise<BrokerObservation> {
    if (this.watchLeader) {
      const after = await this.leaderNow();
      if (after !== undefined) this.seen.leaderAfter = after;
    }
    return { ...this.seen };
  }

  private async sampleBacklog(): Promise<void> {
    if (this.backlogBusy || this.faultAt === undefined) return;
    this.backlogBusy = true;
    try {
      const r = await this.http.get('/metrics');
      const backlog = r.kind === 'response' && r.status === 200 ? outboxBacklogOf(r.text) : undefined;
      if (backlog !== undefined && backlog > (this.seen.outboxMaxBacklog ?? -1)) {
        this.seen.outboxMaxBacklog = backlog;
        this.seen.outboxMaxAfterSeconds = round((Date.now() - this.faultAt) / 1000);
      }
    } finally {
      this.backlogBusy = false;
    }
  }

  private async sampleLeader(): Promise<void> {
    if (this.leaderBusy || this.faultAt === undefined) return;
    this.leaderBusy = true;
    try {
      const now = await this.leaderNow();
      if (now === undefined || now === this.leader) return;
      const at = Date.now();
      this.onChange({ at, detail: `queue ${this.seen.queue} led by ${now}${this.leader ? ` (was ${this.leader})` : ''}` });
      if (this.seen.newLeaderAfterSeconds === undefined && this.seen.leaderBefore !== undefined) {
        this.seen.newLeaderAfterSeconds = round((at - this.faultAt) / 1000);
      }
      this.leader = now;
    } finally {
      this.leaderBusy = false;
    }
  }

  private async leaderNow(): Promise<string | undefined> {
    return queueLeaderByMajority(this.target, this.seen.queue).catch(() => undefined);
  }
}

const round = (s: number): number => Math.round(s * 10) / 10;
