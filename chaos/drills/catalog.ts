// Every drill the lab knows, as data. The runner reads these; adding a drill means adding
// an entry here (and a fault kind, one file in faults/ listed in faults/index.ts, only if it needs a new action).
import type { Drill } from '../types.ts';
import { brokerRestart, oneNodeAway, pipelineOnly, restoring } from './expectations.ts';
import { BROKER_DISK_FREE_LIMIT, FULFILMENT_QUEUE } from '../../shared/queue-names.ts';
import { alertDrillName, alertDrills } from './alerts.ts';

type RestoreFault = Extract<Drill['fault'], { kind: 'restore' }>;

/** A restore drill: a backup under traffic, 10 s more, the disaster, the restore; they differ in the disaster and the roll-forward. */
function restoreDrill(d: Pick<Drill, 'name' | 'description' | 'proves'> & Pick<RestoreFault, 'disaster' | 'pointInTime'>): Drill {
  return {
    name: d.name,
    description: d.description,
    proves: d.proves,
    targets: { kind: 'all', role: 'galera' },
    fault: { kind: 'restore', disaster: d.disaster, table: 'orders', pointInTime: d.pointInTime, trafficAfterBackupMs: 10_000 },
    // how long the disaster goes unnoticed before the restore begins
    defaultFaultSeconds: 5,
    breaksQuorum: true,
    expectations: restoring,
    recoveryBoundSeconds: 180,
  };
}

// The broker's node drills break whichever node leads the fulfilment queue when they start;
// its clients (the relay, the workers) are the pipeline's, so the shop's see nothing.
const onQueueLeader = {
  targets: { kind: 'queue-leader', role: 'rabbitmq', queue: FULFILMENT_QUEUE },
  breaksQuorum: false,
  expectations: pipelineOnly,
} as const;

// One Galera node away costs clients latency, not errors (issue 32): the shop retries what is
// safe to retry on a fresh connection, HAProxy hands that one a live node. A request in flight
// on a frozen or dead node waits for the cluster to evict it (evs.suspect_timeout) or for its
// statement timeout, so the p99 bound is the stall clients may see. The budget is stricter than
// oneNodeAway's statuses (a 503 with Retry-After, or the pause drill's timeouts, are each over it)
// and is judged on the traffic's own requests from the injection until the steady state is back.
const oneNodeBudget = { failedRequests: 0, p99Ms: 3_000 } as const;

const faultDrills: readonly Drill[] = [
  {
    name: 'galera-node-stop',
    description: 'Stop one Galera node cleanly, then start it; it must rejoin (IST) and HAProxy must route around it.',
    proves: 'a planned node restart costs the shop nothing but a few retried requests',
    targets: { kind: 'one', role: 'galera', default: 'mariadb-2' },
    fault: { kind: 'stop', stopTimeoutSeconds: 30 },
    defaultFaultSeconds: 20,
    breaksQuorum: false,
    expectations: oneNodeAway,
    recoveryBoundSeconds: 120,
    clientBudget: oneNodeBudget,
  },
  {
    name: 'galera-node-kill',
    description: 'SIGKILL one Galera node, then start it; it must recover its position and rejoin.',
    proves: 'a crashed node loses no acknowledged write and rejoins without a manual step',
    targets: { kind: 'one', role: 'galera', default: 'mariadb-2' },
    fault: { kind: 'kill' },
    defaultFaultSeconds: 20,
    breaksQuorum: false,
    expectations: oneNodeAway,
    recoveryBoundSeconds: 150,
    clientBudget: oneNodeBudget,
  },
  {
    name: 'galera-node-pause',
    description: 'Freeze every process of one Galera node (SIGSTOP), then thaw them; the cluster evicts or waits, then levels it.',
    proves: 'a hung node (not a dead one) is detected by HAProxy and the cluster survives it',
    targets: { kind: 'one', role: 'galera', default: 'mariadb-2' },
    fault: { kind: 'pause' },
    defaultFaultSeconds: 20,
    breaksQuorum: false,
    // a frozen node holds TCP connections open: requests already on it wait for the timeouts
    expectations: { ...oneNodeAway, forbidTimeouts: false },
    recoveryBoundSeconds: 150,
    clientBudget: oneNodeBudget,
  },
  {
    name: 'galera-partition',
    description: 'Cut one Galera node off the back-tier network; it must leave Primary and refuse writes, HAProxy must take it out; heal.',
    proves: 'a partitioned minority refuses writes and is taken out of rotation, so no write is acknowledged by it',
    targets: { kind: 'one', role: 'galera', default: 'mariadb-2' },
    fault: { kind: 'disconnect', network: 'back-tier' },
    defaultFaultSeconds: 20,
    breaksQuorum: false,
    expectations: { ...oneNodeAway, targetLeavesPrimary: true },
    recoveryBoundSeconds: 150,
    clientBudget: oneNodeBudget,
  },
  {
    name: 'rolling-restart',
    description: 'Restart every Galera node in turn, as a configuration change or an upgrade is rolled out: out of HAProxy first, stopped cleanly, started, Synced, back in; then the next.',
    proves: 'a planned restart of the whole cluster costs clients nothing: no failed request, nothing lost, nodes agree',
    targets: { kind: 'all', role: 'galera' },
    fault: { kind: 'rolling-restart', stopTimeoutSeconds: 30 },
    // the restarts are the fault; nothing is held broken after the last one
    defaultFaultSeconds: 1,
    breaksQuorum: false,
    // one node out at a time: HAProxy never has all three targets down at once
    expectations: { ...oneNodeAway, haproxyMarksTargetDown: false },
    recoveryBoundSeconds: 120,
    clientBudget: oneNodeBudget,
  },
  {
    name: 'galera-quorum-loss',
    description: 'Take two of three Galera nodes away; the survivor goes non-Primary and the shop answers 503 (never 500, never a hang); bring them back.',
    proves: 'without quorum the shop refuses writes cleanly and the cluster re-forms afterwards',
    targets: { kind: 'two', role: 'galera', default: ['mariadb-2', 'mariadb-3'] },
    fault: { kind: 'disconnect', network: 'back-tier' },
    defaultFaultSeconds: 20,
    breaksQuorum: true,
    expectations: { ...oneNodeAway, targetLeavesPrimary: true },
    recoveryBoundSeconds: 180,
  },
  {
    name: 'galera-full-outage',
    description: 'SIGKILL all three Galera nodes one after another; recover by bootstrapping the most advanced node (grastate seqno / --wsrep-recover), then join the others. Never deletes volumes.',
    proves: 'a whole-cluster crash is recovered without losing any acknowledged write and without deleting data',
    targets: { kind: 'all', role: 'galera' },
    fault: { kind: 'kill-all', spacingMs: 2_000 },
    defaultFaultSeconds: 10,
    breaksQuorum: true,
    expectations: { ...oneNodeAway, haproxyMarksTargetDown: true, targetLeavesPrimary: false, forbidTimeouts: true },
    recoveryBoundSeconds: 300,
  },
  {
    name: 'galera-crash-burst',
    description: 'SIGKILL all three Galera nodes within one second under traffic; safe bootstrap as full-outage; judge what the durability profile kept.',
    proves: 'what the durability profile really keeps when every node crashes at once (strict and relaxed: nothing lost; fast: up to ~1 s)',
    targets: { kind: 'all', role: 'galera' },
    fault: { kind: 'kill-all', spacingMs: 0 },
    defaultFaultSeconds: 10,
    breaksQuorum: true,
    expectations: { ...oneNodeAway, forbidTimeouts: true, lossPossible: true },
    recoveryBoundSeconds: 300,
  },
  {
    name: 'haproxy-stop',
    description: 'Stop HAProxy; the shop answers 503 with Retry-After and recovers by itself when HAProxy returns, without an app restart.',
    proves: 'the app survives losing its database entry point and reconnects on its own',
    targets: { kind: 'one', role: 'haproxy', default: 'haproxy' },
    fault: { kind: 'stop', stopTimeoutSeconds: 10 },
    defaultFaultSeconds: 15,
    breaksQuorum: false,
    expectations: { ...oneNodeAway, haproxyMarksTargetDown: false },
    recoveryBoundSeconds: 90,
  },
  {
    name: 'shop-crash',
    description: 'SIGKILL the shop (the app container; on Swarm one replica) five times under keyed write traffic that retries each key until it is answered; each time it comes back on its own.',
    proves: 'a keyed write is done exactly once however the shop dies: one effect per answered key, nothing acknowledged lost, every replay equal to the first answer',
    targets: { kind: 'one', role: 'app', default: 'app' },
    fault: { kind: 'crash-restart', crashes: 5, intervalMs: 4_000 },
    defaultFaultSeconds: 2,
    breaksQuorum: false,
    // the shop is gone for a second or two each time: refused and reset connections, retried
    expectations: { ...oneNodeAway, haproxyMarksTargetDown: false, forbidTimeouts: false },
    recoveryBoundSeconds: 90,
    exactlyOnce: true,
    // On Swarm the killed replica is one of three: the edge retries what it may on another
    // (edge/haproxy.cfg), so clients see latency and no failed request (issue 33).
    swarmClientBudget: { failedRequests: 0, p99Ms: 3_000 },
  },
  {
    name: 'worker-crash',
    description: 'SIGKILL every fulfilment worker five times under traffic, each while it holds messages it has committed and not yet acked (fulfilmentDelay keeps them in hand); each comes back.',
    proves: 'a message whose worker died before its ack is delivered again and applied once: every paid order shipped exactly once, none lost, none twice',
    targets: { kind: 'all', role: 'worker' },
    fault: { kind: 'crash-restart', crashes: 5, intervalMs: 3_000, flags: { fulfilmentDelay: 300 } },
    defaultFaultSeconds: 2,
    breaksQuorum: false,
    expectations: pipelineOnly,
    recoveryBoundSeconds: 90,
  },
  {
    name: 'relay-crash',
    description: 'Under traffic, the shop kills itself right after the broker confirmed an outbox batch and before marking it published (fault flag relayCrash), again and again for the hold; Docker restarts it, the lease passes on.',
    proves: 'an event confirmed but not marked is published again and the workers apply it once: no paid order lost or shipped twice across relay crashes',
    targets: { kind: 'one', role: 'app', default: 'app' },
    fault: { kind: 'flags', flags: { relayCrash: 0.5 }, replayDeadLetters: false },
    defaultFaultSeconds: 20,
    breaksQuorum: false,
    // the shop is down for a moment after each crash: refused connections, retried by the clients
    expectations: { ...oneNodeAway, haproxyMarksTargetDown: false, forbidTimeouts: false, retryAfterOn503: false },
    recoveryBoundSeconds: 120,
  },
  {
    name: 'worker-poison',
    description: 'Make the workers fail every message for a while (fault flag fulfilmentFailure): each is redelivered to its limit and dead-lettered; then turn the flag off and replay the dead-letter queue.',
    proves: 'a message that cannot succeed is set aside, not lost nor retried for ever, and once fixed is fulfilled exactly once',
    targets: { kind: 'all', role: 'worker' },
    fault: { kind: 'flags', flags: { fulfilmentFailure: 1 }, replayDeadLetters: true },
    defaultFaultSeconds: 15,
    breaksQuorum: false,
    expectations: pipelineOnly,
    recoveryBoundSeconds: 90,
  },
  {
    name: 'rabbitmq-node-kill',
    description: 'SIGKILL the RabbitMQ node leading the fulfilment queue (found with rabbitmqctl when the drill starts), hold, then start it: the queue elects a new leader among its replicas.',
    proves: 'a message the broker confirmed survives its queue leader\'s crash (a quorum queue: a majority has it), payments keep answering while the workers reconnect, and every paid order is shipped exactly once',
    ...onQueueLeader,
    fault: { kind: 'kill' },
    defaultFaultSeconds: 15,
    recoveryBoundSeconds: 120,
  },
  {
    name: 'rabbitmq-full-outage',
    description: 'SIGKILL all three RabbitMQ nodes, hold, then start them: the cluster re-forms from its disks and the quorum queues with it.',
    proves: 'every message the broker confirmed is still there after the whole broker crashed (on disk in a majority before the confirm), what it could not take waited in the outbox, payments kept answering, and every paid order is shipped exactly once',
    targets: { kind: 'all', role: 'rabbitmq' },
    fault: { kind: 'kill' },
    defaultFaultSeconds: 15,
    breaksQuorum: false,
    expectations: brokerRestart,
    recoveryBoundSeconds: 180,
  },
  {
    name: 'rabbitmq-node-pause',
    description: 'Freeze every process of the RabbitMQ node leading the fulfilment queue (SIGSTOP), hold, then thaw them: a hung broker node, its TCP connections still open.',
    proves: "a hung queue leader is replaced by the majority, clients connected to it (the relay, the workers) get away from it, payments keep answering, and every paid order is shipped exactly once after the thaw",
    ...onQueueLeader,
    fault: { kind: 'pause' },
    defaultFaultSeconds: 20,
    recoveryBoundSeconds: 150,
  },
  {
    name: 'rabbitmq-partition',
    description: 'Cut the RabbitMQ node leading the fulfilment queue off the back-tier network: a minority of one, it must pause (pause_minority) while the other two elect a new leader; heal.',
    proves: 'a partitioned broker node pauses instead of serving a split brain, the majority keeps the queue, and nothing confirmed on either side is lost or shipped twice once the partition heals',
    ...onQueueLeader,
    fault: { kind: 'disconnect', network: 'back-tier' },
    defaultFaultSeconds: 20,
    recoveryBoundSeconds: 180,
  },
  {
    name: 'rabbitmq-latency',
    description: 'Add 200 ms of network delay (tc netem) to the RabbitMQ node leading the fulfilment queue, from a helper sharing its network namespace: every confirm waits on it; remove it.',
    proves: 'a slow broker slows the pipeline, not the shop: payments answer as fast as before (the outbox), the fulfilment lag rises and falls back, nothing lost or shipped twice',
    ...onQueueLeader,
    fault: { kind: 'netem', delayMs: 200, jitterMs: 20 },
    defaultFaultSeconds: 20,
    recoveryBoundSeconds: 120,
  },
  {
    name: 'rabbitmq-disk-alarm',
    description: "Raise rabbitmq-1's free-disk limit above its disk (rabbitmqctl set_disk_free_limit): the disk alarm blocks every publisher of the cluster; hold, then put the limit back.",
    proves: 'while the broker refuses publishers, payments keep answering (the outbox takes them), and once it accepts again the outbox drains and every paid order is shipped exactly once',
    targets: { kind: 'one', role: 'rabbitmq', default: 'rabbitmq-1' },
    fault: { kind: 'broker-disk-alarm', aboveFreeBytes: 10_000_000_000, restoreLimit: BROKER_DISK_FREE_LIMIT.text },
    defaultFaultSeconds: 20,
    breaksQuorum: false,
    expectations: brokerRestart,
    recoveryBoundSeconds: 120,
  },
  {
    name: 'db-latency',
    description: 'Add network delay (tc netem) to one Galera node from a helper container sharing its network namespace; observe latency; remove it.',
    proves: 'a slow node shows in the latency metrics and slows the whole cluster (synchronous replication), without errors',
    targets: { kind: 'one', role: 'galera', default: 'mariadb-2' },
    fault: { kind: 'netem', delayMs: 200, jitterMs: 20 },
    defaultFaultSeconds: 20,
    breaksQuorum: false,
    expectations: { ...oneNodeAway, haproxyMarksTargetDown: false, forbidTimeouts: false, latencyRises: true },
    recoveryBoundSeconds: 60,
  },
  // The edge's (docs/edge.md): their traffic goes through it, each journey a client of its own.
  {
    name: 'flood',
    description: 'Multiply the simulator\'s journeys fivefold (loadGeneratorFlood), every extra journey from one client, beside well-behaved traffic through the edge; then stop the flood.',
    proves: 'one client flooding the shop is refused at the edge with 429s, nothing of a refused request reaches the shop, and the other clients keep their latency without an error',
    targets: { kind: 'one', role: 'edge', default: 'edge' },
    fault: { kind: 'flags', flags: { loadGeneratorFlood: 5 }, replayDeadLetters: false },
    defaultFaultSeconds: 20,
    breaksQuorum: false,
    // a 429 is the edge doing its work: only the shop's own errors and hangs count
    expectations: pipelineOnly,
    recoveryBoundSeconds: 60,
    clientBudget: { failedRequests: 0, p99Ms: 2_000 },
    edge: 'flood',
  },
  {
    name: 'edge-stop',
    description: 'Stop the edge under traffic through it, then start it; the shop behind it is not touched.',
    proves: 'the edge going away costs its clients refused connections only while it is gone: they are served again as soon as it is back, nothing restarted',
    targets: { kind: 'one', role: 'edge', default: 'edge' },
    fault: { kind: 'stop', stopTimeoutSeconds: 10 },
    defaultFaultSeconds: 10,
    breaksQuorum: false,
    // refused and reset connections while it is gone (the clients retry, then give up); no hang, no 5xx from the shop
    expectations: pipelineOnly,
    recoveryBoundSeconds: 60,
    edge: 'outage',
  },
  restoreDrill({
    name: 'restore-from-backup',
    description: 'Back up a node under traffic, then DROP TABLE orders; restore the backup rolled forward with the binary logs to just before the DROP (point in time).',
    proves: 'a dropped table comes back with every write acknowledged before the disaster (RPO 0), and how long the shop was down (RTO)',
    disaster: 'drop-table',
    pointInTime: true,
  }),
  restoreDrill({
    name: 'restore-backup-only',
    description: 'As restore-from-backup, but the backup alone is restored (no roll-forward): the writes acknowledged after it are named as lost.',
    proves: 'what a backup without binary logs costs: exactly the writes after it, each named, with RPO in writes and seconds',
    disaster: 'drop-table',
    pointInTime: false,
  }),
  restoreDrill({
    name: 'restore-after-volume-loss',
    description: 'Back up a node under traffic, then SIGKILL all three nodes and empty their data volumes (binary logs included); rebuild the cluster from the backup rolled forward with the binary log the backup service archived off mariadb-3.',
    proves: 'a lab whose every disk is lost comes back with every write acknowledged until the archive\'s last seconds, the few it had not received named (RPO), and how long it took (RTO)',
    // the nodes' own binary logs went with the volumes: the archive's copy of mariadb-3's is what rolls it forward
    disaster: 'volumes',
    pointInTime: true,
  }),
];


/** Every drill: the faults' and, after them, one per alerting rule (alerts.ts). */
export const drills: readonly Drill[] = [...faultDrills, ...alertDrills];

/**
 * The groups `chaos run` takes by name: `drills` every fault drill (`make drills`), `broker`
 * the broker's, `alerts` one per alerting rule (`make alert-drills`).
 */
export const DRILL_GROUPS: Readonly<Record<string, readonly Drill[]>> = {
  drills: faultDrills,
  broker: faultDrills.filter((d) => d.targets.role === 'rabbitmq'),
  alerts: alertDrills,
};

/** A drill by name; `alert:<Rule>` names the drill of that alerting rule. */
export function findDrill(name: string): Drill | undefined {
  const wanted = name.startsWith('alert:') ? alertDrillName(name.slice('alert:'.length)) : name;
  return drills.find((d) => d.name === wanted);
}

export { alertDrills } from './alerts.ts';

/** The longest fault `chaos run --duration` accepts. */
export const MAX_FAULT_SECONDS = 3_600;
