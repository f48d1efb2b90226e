// The alert drills as data: for each alerting rule, the fault that causes its condition in the
// lab, how long that condition takes to become true and to clear (a ratio over a 5-minute
// window moves slowly), and which other alerts the same fault may rightly raise. They run
// through the one runner like every drill (steady state, method, rollbacks, recovery,
// judgement, report); judge/alert.ts is what is particular to them. Named
// `alert-<rule in kebab case>`; `chaos run alert:<Rule>` finds one, `chaos run alerts` runs all.
import type { AlertExpectation, Drill } from '../types.ts';
import { restoring } from './expectations.ts';
import type { FaultSpec } from '../faults/index.ts';
import { BROKER_DISK_FREE_LIMIT } from '../../shared/queue-names.ts';

// The alert is what is judged: the shop's clients may see whatever the fault causes (a 500
// on purpose, a refused connection), as while a restore runs.
const alerting = restoring;

const NODE_CONSEQUENCES = ['MySQLDown', 'GaleraClusterSizeDegraded', 'GaleraNodeNotSynced'];
// the names' own words first (HAProxy, not ha-proxy), then a hyphen before each capital
const WORDS: [RegExp, string][] = [[/HAProxy/g, 'Haproxy'], [/MySQL/g, 'Mysql'], [/SmartShop/g, 'Smartshop'], [/RabbitMQ/g, 'Rabbitmq']];
const kebab = (alert: string): string => WORDS.reduce((s, [re, w]) => s.replace(re, w), alert).replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** The drill name of an alert's drill: `alert-` and the rule's name in kebab case. */
export function alertDrillName(alert: string): string {
  return `alert-${kebab(alert)}`;
}

/** An alert drill as written below: what most need (no traffic, a condition true within 15 s and clear within 30 s, no other alert, not in CI) is the default. */
interface AlertDrillData extends Partial<Omit<AlertExpectation, 'alert'>> {
  alert: string;
  cause: string;
  fault: FaultSpec;
  targets: Drill['targets'];
  /** journeys per second during the drill (the shop's alerts need traffic); 0, the default: none */
  rate?: number;
  breaksQuorum?: boolean;
  /** the traffic goes through the edge (types.ts Drill.edge) */
  edge?: Drill['edge'];
}

function alertDrill(d: AlertDrillData): Drill {
  return {
    name: alertDrillName(d.alert),
    description: `${d.cause}; ${d.alert} must ${d.inhibitedBy ? `fire, be held back by ${d.inhibitedBy}` : 'reach the lab console'} and resolve after the rollback`,
    proves: d.inhibitedBy
      ? `${d.alert} fires when its cause happens, Alertmanager holds it back while ${d.inhibitedBy} pages (one page, not several), and it clears`
      : `${d.alert} reaches someone within its bound when its cause happens, and resolves after`,
    targets: d.targets,
    fault: d.fault,
    // not used: an alert drill holds its fault until the alert fired or its bound passed
    // (judge/alert.ts), whatever --duration says
    defaultFaultSeconds: 600,
    breaksQuorum: d.breaksQuorum ?? false,
    expectations: alerting,
    recoveryBoundSeconds: 180,
    rate: d.rate ?? 0,
    ...(d.edge ? { edge: d.edge } : {}),
    alert: {
      alert: d.alert,
      conditionSeconds: d.conditionSeconds ?? 15,
      clearSeconds: d.clearSeconds ?? 30,
      alsoExpected: d.alsoExpected ?? [],
      ci: d.ci ?? false,
      ...(d.inhibitedBy ? { inhibitedBy: d.inhibitedBy } : {}),
    },
  };
}

/** An alert caused by stopping one lab service cleanly (the defaults otherwise); the rollback starts it again. */
function stoppedService(alert: string, role: 'haproxy' | 'exporter' | 'rabbitmq', name: string, stopTimeoutSeconds: number, cause: string, ci = false): Drill {
  return alertDrill({ alert, cause, targets: { kind: 'one', role, default: name }, fault: { kind: 'stop', stopTimeoutSeconds }, ci });
}

const shop = { kind: 'one', role: 'app', default: 'app' } as const;
const node3 = { kind: 'one', role: 'galera', default: 'mariadb-3' } as const;
const stopNode3 = { targets: node3, fault: { kind: 'stop', stopTimeoutSeconds: 30 } } as const;
const flag = (flags: Extract<FaultSpec, { kind: 'flags' }>['flags']): FaultSpec => ({ kind: 'flags', flags, replayDeadLetters: false });

const shopAlerts: Drill[] = [
  alertDrill({
    alert: 'SmartShopHighErrorRatio',
    cause: 'fault flag productCatalogFailure under traffic (the catalogue and order creation answer 500)',
    targets: shop,
    fault: flag({ productCatalogFailure: true }),
    rate: 6,
    // a burn-rate alert: the 1 h ratio must pass 14.4 % too, so the hour's earlier traffic
    // dilutes it; 5 minutes covers a lab whose last hour was quiet or about this busy
    conditionSeconds: 300,
    // the 5-minute ratio falls under 14.4 % once most of its window is healthy traffic
    clearSeconds: 240,
  }),
  alertDrill({
    alert: 'SmartShopHighLatencyP99',
    cause: 'fault flag slowResponses 1200 ms on every route under traffic (p99 against the 1 s threshold)',
    targets: shop,
    fault: flag({ slowResponses: { all: 1200 } }),
    rate: 2,
    // the 5-minute p99 passes 1 s once 1 % of its window is slow: seconds in theory, 56 s
    // measured (histogram buckets, a loaded machine)
    conditionSeconds: 60,
    // and falls back once 99 % of it is fast again: nearly the whole window (330 s measured
    // to the resolved notification)
    clearSeconds: 320,
  }),
  alertDrill({
    alert: 'SmartShopPaymentFailureRatioHigh',
    cause: 'fault flag paymentFailure 0.5 under payment traffic (failure share about 0.6 against the 0.35 threshold)',
    targets: shop,
    fault: flag({ paymentFailure: 0.5 }),
    rate: 6,
    // the 5-minute ratio passes 0.35 once 3/8 of its window is the new traffic, and falls
    // back once 5/8 of it is normal traffic again
    conditionSeconds: 120,
    clearSeconds: 240,
    ci: false, // 9-11 min (for: 5m): `make alert-drills`
  }),
  alertDrill({
    alert: 'EdgeRateLimitingHigh',
    cause: 'fault flag loadGeneratorFlood 10 under traffic through the edge: the extra journeys are one client, refused with 429s',
    targets: { kind: 'one', role: 'edge', default: 'edge' },
    // tenfold: a refused flood journey ends at its first 429, so the share refused is about
    // a third of what the edge is sent (fivefold would be about 17 %, under the rule's 20 %)
    fault: flag({ loadGeneratorFlood: 10 }),
    rate: 6,
    edge: 'flood',
    // the 2-minute share passes 20 % once the flood is a good part of the window, then `for: 1m`
    // (measured: fired after 75 s and 113 s)
    conditionSeconds: 120,
    // and falls back once most of the 2-minute window is the flood's absence (measured: 68 s)
    clearSeconds: 150,
  }),
];

const infrastructureAlerts: Drill[] = [
  alertDrill({
    alert: 'GaleraNodesDiverged',
    cause: 'change a product name on mariadb-3 only (wsrep_on=OFF), then a consistency check',
    targets: node3,
    fault: { kind: 'diverge', productId: 1 },
    // no traffic: a cross-node check compares checksums, which rows still being written move
    clearSeconds: 15,
    ci: true,
  }),
  alertDrill({
    alert: 'HAProxyBackendServerDown',
    cause: 'stop mariadb-3 (clean shutdown); HAProxy takes it out of rotation',
    ...stopNode3,
    rate: 3,
    alsoExpected: NODE_CONSEQUENCES,
    ci: true,
  }),
  alertDrill({
    alert: 'MySQLDown',
    cause: 'stop mariadb-3; its exporter reports mysql_up 0, HAProxyBackendServerDown is the page',
    ...stopNode3,
    alsoExpected: ['HAProxyBackendServerDown', 'GaleraClusterSizeDegraded', 'GaleraNodeNotSynced'],
    inhibitedBy: 'HAProxyBackendServerDown',
  }),
  alertDrill({
    alert: 'GaleraClusterSizeDegraded',
    cause: 'stop mariadb-3; the other two report a cluster of 2, HAProxyBackendServerDown is the page',
    ...stopNode3,
    alsoExpected: ['HAProxyBackendServerDown', 'MySQLDown', 'GaleraNodeNotSynced'],
    inhibitedBy: 'HAProxyBackendServerDown',
  }),
  alertDrill({
    alert: 'GaleraNodeNotSynced',
    cause: 'desynchronise mariadb-3 (wsrep_desync=ON: Donor/Desynced); HAProxy takes it out, which is the page',
    targets: node3,
    fault: { kind: 'desync' },
    alsoExpected: ['HAProxyBackendServerDown'],
    inhibitedBy: 'HAProxyBackendServerDown',
  }),
  alertDrill({
    alert: 'GaleraNonPrimary',
    cause: 'isolate mariadb-2 and mariadb-3 (gmcast.isolate): no component holds a majority, every node leaves Primary',
    targets: { kind: 'two', role: 'galera', default: ['mariadb-2', 'mariadb-3'] },
    fault: { kind: 'isolate', boundSeconds: 120 },
    breaksQuorum: true,
    // inhibited while GaleraNonPrimary fires; the one that clears last may still be notified
    alsoExpected: [...NODE_CONSEQUENCES, 'HAProxyBackendServerDown'],
  }),
  stoppedService('HAProxyDown', 'haproxy', 'haproxy', 10, 'stop the haproxy container: Prometheus cannot scrape it, the shop cannot reach the database'),
  stoppedService('ScrapeTargetDown', 'exporter', 'node-exporter', 10, 'stop node-exporter: its scrape target goes down'),
];

const backupAlerts: Drill[] = [
  alertDrill({
    alert: 'BackupTooOld',
    cause: 'the backup service stopped, a backup on a 20 s schedule, then none: after two intervals the newest backup is too old',
    targets: { kind: 'one', role: 'backup', default: 'backup' },
    fault: { kind: 'stale-backup', intervalSeconds: 20 },
    // two intervals, and the backup itself (taken before the clock starts counting)
    conditionSeconds: 45,
  }),
];

const workers = { kind: 'all', role: 'worker' } as const;
// the broker's disk alarm: the free-disk limit far above the disk, put back as rabbitmq.conf sets it
const diskAlarm = { targets: { kind: 'one', role: 'rabbitmq', default: 'rabbitmq-1' }, fault: { kind: 'broker-disk-alarm', aboveFreeBytes: 10_000_000_000, restoreLimit: BROKER_DISK_FREE_LIMIT.text } } as const;

const pipelineAlerts: Drill[] = [
  // first: the other drills' late shipments raise this alert for minutes after them
  alertDrill({
    alert: 'FulfilmentLagHigh',
    cause: 'fault flag fulfilmentDelay 10 s under payment traffic: each worker holds every message 10 s before its ack, the backlog and the lag grow',
    targets: workers,
    fault: flag({ fulfilmentDelay: 10_000 }),
    rate: 4,
    // the 5-minute p99 passes 30 s once 1 % of the shipped orders waited that long
    conditionSeconds: 180,
    // and falls back once 99 % of the window is prompt again: nearly the whole window
    clearSeconds: 330,
  }),
  // in CI: the broker's page (about 95 s here: for 1m, then the resolve)
  stoppedService('RabbitMQNodeDown', 'rabbitmq', 'rabbitmq-3', 30, 'stop rabbitmq-3 (clean shutdown): the quorum queues go on with the other two', true),
  alertDrill({
    alert: 'RabbitMQQuorumLost',
    cause: 'stop rabbitmq-2 and rabbitmq-3: no majority for the quorum queues (rabbitmq-1 pauses itself, pause_minority); payments wait in the outbox',
    targets: { kind: 'two', role: 'rabbitmq', default: ['rabbitmq-2', 'rabbitmq-3'] },
    fault: { kind: 'stop', stopTimeoutSeconds: 30 },
    rate: 2,
    // held back while it fires; the one that clears last may still be notified
    alsoExpected: ['RabbitMQNodeDown', 'OutboxBacklogOld', 'FulfilmentNoConsumers', 'FulfilmentLagHigh'],
  }),
  alertDrill({
    alert: 'RabbitMQResourceAlarm',
    cause: "raise rabbitmq-1's free-disk limit above its disk: the disk alarm blocks every publisher, payments wait in the outbox",
    ...diskAlarm,
    rate: 2,
    alsoExpected: ['OutboxBacklogOld', 'FulfilmentLagHigh'],
  }),
  alertDrill({
    alert: 'OutboxBacklogOld',
    cause: "the broker's disk alarm (as for RabbitMQResourceAlarm) under payment traffic: the outbox's oldest event ages past a minute; RabbitMQResourceAlarm is the page",
    ...diskAlarm,
    rate: 2,
    // a minute of blocking before the oldest event is a minute old
    conditionSeconds: 75,
    alsoExpected: ['RabbitMQResourceAlarm', 'FulfilmentLagHigh'],
    inhibitedBy: 'RabbitMQResourceAlarm',
  }),
  alertDrill({
    alert: 'FulfilmentNoConsumers',
    cause: 'stop every fulfilment worker: nobody consumes the queue',
    targets: workers,
    fault: { kind: 'stop', stopTimeoutSeconds: 10 },
  }),
  alertDrill({
    alert: 'DeadLettersPresent',
    cause: 'fault flag fulfilmentFailure 1 under payment traffic: every message fails to its delivery limit and is dead-lettered; rollback: flag off, the dead letters replayed',
    targets: workers,
    fault: { kind: 'flags', flags: { fulfilmentFailure: 1 }, replayDeadLetters: true },
    rate: 3,
    conditionSeconds: 45,
    // the replayed orders ship late
    alsoExpected: ['FulfilmentLagHigh'],
  }),
];

/** In this order: the shop's first, while the hour's error window holds the least traffic. */
export const alertDrills: readonly Drill[] = [...shopAlerts, ...infrastructureAlerts, ...backupAlerts, ...pipelineAlerts];
