// The alert drills as data: for each alert rule, what causes its condition in the lab, how
// long that condition takes to become true and to clear (a ratio over a 5-minute window
// moves slowly), what undoes it, and which other alerts the same fault may rightly raise.
// `smartshop chaos run alert:<AlertName>` runs one, `alerts` all of them in this order
// (runner.ts): the shop's first, while the hour's error window holds the least traffic.
import { backupsDir, flagsFile } from '../../lab/paths.ts';
import { containerSource, createBackup, listBackups } from '../../backup/index.ts';
import { resetFlags, setFlag } from '../../shared/feature-flags/flag-file.ts';
import {
  checkConsistency, node, startService, stopService, waitPrimary, waitSynced, type AlertDrill, type AlertDrillContext,
} from './drill.ts';

export type { AlertDrill, AlertDrillContext } from './drill.ts';

const TAMPERED_PRODUCT = 1;
const flags = (ctx: AlertDrillContext): string => flagsFile(ctx.target.project);

async function stopNode3(ctx: AlertDrillContext): Promise<void> {
  await stopService(ctx, 'mariadb-3');
}

async function startNode3(ctx: AlertDrillContext): Promise<void> {
  await startService(ctx, 'mariadb-3');
  await waitSynced(ctx, 'mariadb-3');
}

/** gmcast.isolate cuts a node's group communication and nothing else: its exporter and
 * HAProxy still reach it, so only Galera's own view changes. */
async function isolate(ctx: AlertDrillContext, names: string[], on: boolean): Promise<void> {
  for (const name of names) {
    await ctx.sql.query(await node(ctx, name), `SET GLOBAL wsrep_provider_options = 'gmcast.isolate=${on ? 1 : 0}'`);
  }
}

/** A real backup of mariadb-3, declaring the schedule it belongs to; keeps every backup already there. */
async function backupWithInterval(ctx: AlertDrillContext, intervalSeconds: number): Promise<void> {
  const root = backupsDir(ctx.target.project);
  const kept = (await listBackups(root)).length;
  await createBackup({ source: containerSource(ctx.target, 'mariadb-3'), root, kind: 'physical', database: ctx.database, keep: kept + 1, intervalSeconds, log: ctx.say });
}

/** An alert caused by stopping one lab service cleanly; the rollback starts it again. */
function stoppedService(alert: string, service: string, cause: string): AlertDrill {
  return {
    alert, cause, rate: 0, conditionSeconds: 15, clearSeconds: 30, alsoExpected: [], ci: false,
    inject: (ctx) => stopService(ctx, service, 10),
    rollback: (ctx) => startService(ctx, service),
  };
}

const QUORUM_MINORITY = ['mariadb-2', 'mariadb-3'];
// what a node away causes on the other rules; Alertmanager holds these back (inhibit_rules)
const NODE_CONSEQUENCES = ['MySQLDown', 'GaleraClusterSizeDegraded', 'GaleraNodeNotSynced'];

const shopDrills: AlertDrill[] = [
  {
    alert: 'SmartShopHighErrorRatio',
    cause: 'fault flag productCatalogFailure under traffic (the catalogue and order creation answer 500)',
    rate: 6,
    // a burn-rate alert: the 1 h ratio must pass 14.4 % too, so the hour's earlier traffic
    // dilutes it; 5 minutes covers a lab whose last hour was quiet or about this busy
    conditionSeconds: 300,
    // the 5-minute ratio falls under 14.4 % once most of its window is healthy traffic
    clearSeconds: 240,
    alsoExpected: [],
    ci: false,
    async inject(ctx) {
      await setFlag(flags(ctx), 'productCatalogFailure', true);
    },
    async rollback(ctx) {
      await resetFlags(flags(ctx), ['productCatalogFailure']);
    },
  },
  {
    alert: 'SmartShopHighLatencyP99',
    cause: 'fault flag slowResponses 1200 ms on every route under traffic (p99 against the 1 s threshold)',
    rate: 2,
    // the 5-minute p99 passes 1 s once 1 % of its window is slow: seconds in theory, 56 s
    // measured (histogram buckets, a loaded machine)
    conditionSeconds: 60,
    // and falls back once 99 % of it is fast again: nearly the whole window (330 s measured
    // to the resolved notification)
    clearSeconds: 320,
    alsoExpected: [],
    ci: false,
    async inject(ctx) {
      await setFlag(flags(ctx), 'slowResponses', { all: 1200 });
    },
    async rollback(ctx) {
      await resetFlags(flags(ctx), ['slowResponses']);
    },
  },
  {
    alert: 'SmartShopPaymentFailureRatioHigh',
    cause: 'fault flag paymentFailure 0.5 under payment traffic (failure share about 0.6 against the 0.35 threshold)',
    rate: 6,
    // the 5-minute ratio passes 0.35 once 3/8 of its window is the new traffic, and falls
    // back once 5/8 of it is normal traffic again
    conditionSeconds: 120,
    clearSeconds: 240,
    alsoExpected: [],
    ci: false, // 9-11 min (for: 5m): `make alert-drills`
    async inject(ctx) {
      await setFlag(flags(ctx), 'paymentFailure', 0.5);
    },
    async rollback(ctx) {
      await resetFlags(flags(ctx), ['paymentFailure']);
    },
  },
];

const infrastructureDrills: AlertDrill[] = [
  {
    alert: 'GaleraNodesDiverged',
    cause: 'change a product name on mariadb-3 only (wsrep_on=OFF), then a consistency check',
    // no traffic: a cross-node check compares checksums, which rows still being written move
    rate: 0,
    conditionSeconds: 15,
    clearSeconds: 15,
    alsoExpected: [],
    ci: true,
    async inject(ctx) {
      const n = await node(ctx, 'mariadb-3');
      const [row] = await ctx.sql.query(n, `SELECT name FROM ${ctx.database}.products WHERE id = ${TAMPERED_PRODUCT}`);
      if (row?.[0] === undefined) throw new Error(`product ${TAMPERED_PRODUCT} not found on mariadb-3`);
      ctx.state.productName = row[0];
      await ctx.sql.query(n, `SET SESSION wsrep_on = OFF; UPDATE ${ctx.database}.products SET name = CONCAT(name, ' (alert drill)') WHERE id = ${TAMPERED_PRODUCT}`);
      await checkConsistency(ctx);
    },
    async rollback(ctx) {
      const name = ctx.state.productName;
      if (name !== undefined) {
        const quoted = `'${name.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
        await ctx.sql.query(await node(ctx, 'mariadb-3'), `SET SESSION wsrep_on = OFF; UPDATE ${ctx.database}.products SET name = ${quoted} WHERE id = ${TAMPERED_PRODUCT}`);
      }
      await checkConsistency(ctx);
    },
  },
  {
    alert: 'HAProxyBackendServerDown',
    cause: 'stop mariadb-3 (clean shutdown); HAProxy takes it out of rotation',
    rate: 3,
    conditionSeconds: 15,
    clearSeconds: 30,
    alsoExpected: ['MySQLDown', 'GaleraClusterSizeDegraded', 'GaleraNodeNotSynced'],
    ci: true,
    inject: stopNode3,
    rollback: startNode3,
  },
  {
    alert: 'MySQLDown',
    cause: 'stop mariadb-3; its exporter reports mysql_up 0, HAProxyBackendServerDown is the page',
    rate: 0,
    conditionSeconds: 15,
    clearSeconds: 30,
    alsoExpected: ['HAProxyBackendServerDown', 'GaleraClusterSizeDegraded', 'GaleraNodeNotSynced'],
    inhibitedBy: 'HAProxyBackendServerDown',
    ci: false,
    inject: stopNode3,
    rollback: startNode3,
  },
  {
    alert: 'GaleraClusterSizeDegraded',
    cause: 'stop mariadb-3; the other two report a cluster of 2, HAProxyBackendServerDown is the page',
    rate: 0,
    conditionSeconds: 15,
    clearSeconds: 30,
    alsoExpected: ['HAProxyBackendServerDown', 'MySQLDown', 'GaleraNodeNotSynced'],
    inhibitedBy: 'HAProxyBackendServerDown',
    ci: false,
    inject: stopNode3,
    rollback: startNode3,
  },
  {
    alert: 'GaleraNodeNotSynced',
    cause: 'desynchronise mariadb-3 (wsrep_desync=ON: Donor/Desynced); HAProxy takes it out, which is the page',
    rate: 0,
    conditionSeconds: 15,
    clearSeconds: 30,
    alsoExpected: ['HAProxyBackendServerDown'],
    inhibitedBy: 'HAProxyBackendServerDown',
    ci: false,
    async inject(ctx) {
      await ctx.sql.query(await node(ctx, 'mariadb-3'), 'SET GLOBAL wsrep_desync = ON');
    },
    async rollback(ctx) {
      await ctx.sql.query(await node(ctx, 'mariadb-3'), 'SET GLOBAL wsrep_desync = OFF');
      await waitSynced(ctx, 'mariadb-3');
    },
  },
  {
    alert: 'GaleraNonPrimary',
    cause: 'isolate mariadb-2 and mariadb-3 (gmcast.isolate): no component holds a majority, every node leaves Primary',
    rate: 0,
    conditionSeconds: 15,
    clearSeconds: 30,
    // inhibited while GaleraNonPrimary fires; the one that clears last may still be notified
    alsoExpected: [...NODE_CONSEQUENCES, 'HAProxyBackendServerDown'],
    ci: false,
    async inject(ctx) {
      await isolate(ctx, QUORUM_MINORITY, true);
    },
    async rollback(ctx) {
      await isolate(ctx, QUORUM_MINORITY, false);
      await waitPrimary(ctx);
      for (const name of QUORUM_MINORITY) await waitSynced(ctx, name);
    },
  },
  stoppedService('HAProxyDown', 'haproxy', 'stop the haproxy container: Prometheus cannot scrape it, the shop cannot reach the database'),
  stoppedService('ScrapeTargetDown', 'node-exporter', 'stop node-exporter: its scrape target goes down'),
];

const backupDrills: AlertDrill[] = [
  {
    alert: 'BackupTooOld',
    cause: 'the backup service stopped, a backup on a 20 s schedule, then none: after two intervals the newest backup is too old',
    rate: 0,
    // two intervals, and the backup itself (taken before the clock starts counting)
    conditionSeconds: 45,
    clearSeconds: 30,
    alsoExpected: [],
    ci: false,
    async inject(ctx) {
      // the stack's backup service would keep the lab's backups fresh: it is what stops
      await stopService(ctx, 'backup', 10);
      await backupWithInterval(ctx, 20);
    },
    async rollback(ctx) {
      // a fresh backup on the lab's usual schedule, and the service back to keep it so
      await backupWithInterval(ctx, 3600);
      await startService(ctx, 'backup');
    },
  },
];

export const alertDrills: AlertDrill[] = [...shopDrills, ...infrastructureDrills, ...backupDrills];

export function findAlertDrill(alert: string): AlertDrill | undefined {
  return alertDrills.find((d) => d.alert === alert);
}
