// The vocabulary of the chaos part. A drill is data (after Chaos Toolkit's experiments):
// what it breaks, on which targets, what steady state must hold before, what rollback
// undoes it and what the runner should expect while it is broken. One generic runner
// (runner.ts) executes every drill; nothing here does I/O.
import type { LabRole } from '../lab/index.ts';
import type { FaultSpec } from './faults/index.ts';

/** How a drill chooses its targets among the lab's containers. */
type TargetSelector =
  | { kind: 'one'; role: LabRole; default: string } // one container, overridable with --target
  | { kind: 'two'; role: LabRole; default: [string, string] } // two of a role (quorum loss)
  | { kind: 'all'; role: LabRole } // every container of a role
  | { kind: 'queue-leader'; role: 'rabbitmq'; queue: string }; // the broker node leading a quorum queue when the drill starts

/** What the shop's clients should see while the fault is active. */
export interface Expectations {
  /** statuses a client may see during the fault without the drill deviating (2xx always allowed) */
  allowedClientStatuses: number[];
  /** 5xx other than these (e.g. 500) make the drill deviate */
  forbidClientStatuses: number[];
  /** timeouts (a hang) make the drill deviate */
  forbidTimeouts: boolean;
  /** the faulted Galera node must stop being Primary (partition, quorum loss) */
  targetLeavesPrimary: boolean;
  /** HAProxy must mark the target DOWN while the fault is active */
  haproxyMarksTargetDown: boolean;
  /** a 503 must carry Retry-After */
  retryAfterOn503: boolean;
  /** the app's p99 latency should rise (db-latency) */
  latencyRises: boolean;
  /** acknowledged writes lost is expected (it still makes the verdict failed, with the reason) */
  lossPossible: boolean;
}

export interface Drill {
  name: string;
  description: string;
  /** what the drill proves when it passes; shown in the docs and the report */
  proves: string;
  targets: TargetSelector;
  fault: FaultSpec;
  /** how long the fault stays injected unless --duration says otherwise */
  defaultFaultSeconds: number;
  /** breaks the Galera quorum (or more): the runner asks for confirmation on a TTY */
  breaksQuorum: boolean;
  expectations: Expectations;
  /** upper bound on the time from rollback to steady state */
  recoveryBoundSeconds: number;
  /**
   * The traffic retries each keyed write until it gets an answer, and the judge also checks
   * exactly one effect per answered key and that each replays the same (judge/exactly-once.ts).
   */
  exactlyOnce?: boolean;
  /** journeys per second for this drill whatever --rate says (an alert's rule needs so much; 0: no traffic) */
  rate?: number;
  /** an alert drill: the alert the fault must raise (or Alertmanager hold back), judged beside the ledger */
  alert?: AlertExpectation;
  /** what the shop's clients may see during the fault (judge/clients.ts); over it, the drill deviates */
  clientBudget?: ClientBudget;
  /**
   * The budget on Swarm, where the target is one of several replicas behind the edge, which
   * sends a keyed or idempotent request again to another when one dies mid-request; replaces
   * clientBudget there.
   */
  swarmClientBudget?: ClientBudget;
  /**
   * The traffic goes through the edge (edge/, docs/edge.md), the loadGeneratorFlood flag
   * multiplying it, and judge/edge.ts judges what the edge did: `flood`, that it refused the
   * flood (429) and nothing of a refused write reached the shop; `outage`, that clients were
   * served through it again after the rollback, without a restart of anything.
   */
  edge?: 'flood' | 'outage';
}

/** What the shop's clients may see while a drill's fault is active. */
export interface ClientBudget {
  /** failed requests allowed: 5xx, timeouts, connection errors */
  failedRequests: number;
  /** p99 of the requests in flight during the fault, ms */
  p99Ms: number;
}

/** What an alert drill expects of one alerting rule (judge/alert.ts judges it). */
export interface AlertExpectation {
  alert: string;
  /** seconds the condition may need to become true after the injection (a window filling) */
  conditionSeconds: number;
  /** seconds the condition may need to clear after the rollback */
  clearSeconds: number;
  /** other alerts the same fault may rightly raise (Alertmanager may inhibit them) */
  alsoExpected: string[];
  /**
   * An alert Alertmanager rightly holds back while this one fires (a node down pages once,
   * as HAProxyBackendServerDown). The judge then asks that the alert fired in Prometheus,
   * that Alertmanager marked it suppressed while the inhibitor was delivered, that it was
   * never notified, and that it cleared after the rollback.
   */
  inhibitedBy?: string;
  /** rehearsed in .ci/run (the others: `make alert-drills`) */
  ci: boolean;
}


export type Verdict = 'passed' | 'deviated' | 'failed';

/** One line of the timeline; `at` is epoch ms. */
export interface TimelineEvent {
  at: number;
  kind:
    | 'traffic-start'
    | 'fault-start'
    | 'first-client-error'
    | 'first-success-after-error'
    | 'last-client-error'
    | 'haproxy-marked-down'
    | 'target-left-primary'
    | 'rollback-start'
    | 'recovery'
    | 'haproxy-marked-up'
    | 'steady-state-back'
    | 'traffic-stop'
    /** the start of a phase of the drill's journal (phases/journal.ts) */
    | 'phase'
    /** an alert drill's alert: firing, held back, resolved (judge/alert.ts) */
    | 'alert'
    /** another broker node leads the fulfilment queue (observe/broker-watch.ts) */
    | 'queue-leader'
    | 'note';
  detail: string;
}
