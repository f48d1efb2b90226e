// The alert drills as data: for an alert rule, what causes its condition in the lab, how
// long that condition takes to become true and to clear (a ratio over a 5-minute window
// moves slowly), what undoes it, and which other alerts the same fault may rightly raise.
// `smartshop chaos run alert:<AlertName>` runs one (alerts/runner.ts).
import { flagsFile, type LabContainer, type NodeSql, type Target } from '../../lab/index.ts';
import { recordConsistency } from '../../stack/index.ts';
import { resetFlags, setFlag } from '../../shared/feature-flags/flag-file.ts';
import { judgeConsistency, toConsistencyCheck } from '../judge/verify.ts';

export interface AlertDrillContext {
  target: Target;
  sql: NodeSql;
  database: string;
  say: (line: string) => void;
  /** what inject() left for rollback() */
  state: Record<string, string>;
}

export interface AlertDrill {
  alert: string;
  /** the cause, in words, for the plan and the report */
  cause: string;
  /** journeys per second of traffic during the drill (the shop's alerts need some); 0 = none */
  rate: number;
  /** seconds the condition may need to become true after inject (a window filling) */
  conditionSeconds: number;
  /** seconds the condition may need to clear after rollback */
  clearSeconds: number;
  /** other alerts the same fault may raise (Alertmanager may inhibit them) */
  alsoExpected: string[];
  /** in .ci/run (the others: `make alert-drills`) */
  ci: boolean;
  inject(ctx: AlertDrillContext): Promise<void>;
  rollback(ctx: AlertDrillContext): Promise<void>;
}

/** Each check's result goes to the textfile collector, as `stack verify` and the drills do. */
async function checkConsistency(ctx: AlertDrillContext): Promise<void> {
  const r = await judgeConsistency(ctx.target, ctx.database);
  const nodes = (await ctx.target.list('galera')).length;
  await recordConsistency({ project: ctx.target.project }, toConsistencyCheck(r, nodes), { warn: ctx.say });
}

async function node(ctx: AlertDrillContext, name: string): Promise<LabContainer> {
  return ctx.target.find(name);
}

/** Waits until the node answers SQL as Synced again (bounded). */
async function waitSynced(ctx: AlertDrillContext, name: string, boundMs = 120_000): Promise<void> {
  const until = Date.now() + boundMs;
  for (let i = 0; i < 1_000 && Date.now() < until; i++) {
    const rows = await ctx.sql.query(await node(ctx, name), "SHOW STATUS LIKE 'wsrep_local_state_comment'").catch(() => []);
    if (rows[0]?.[1] === 'Synced') return;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  throw new Error(`${name} not Synced within ${boundMs / 1000} s after the rollback`);
}

const TAMPERED_PRODUCT = 1;

export const alertDrills: AlertDrill[] = [
  {
    alert: 'SmartShopPaymentFailureRatioHigh',
    cause: 'fault flag paymentFailure 0.5 under payment traffic (failure share about 0.6 against the 0.35 threshold)',
    rate: 6,
    // the 5-minute ratio passes 0.35 once 3/8 of its window is the new traffic, and falls
    // back once 5/8 of it is normal traffic again
    conditionSeconds: 120,
    clearSeconds: 240,
    alsoExpected: [],
    ci: true,
    async inject(ctx) {
      await setFlag(flagsFile(ctx.target.project), 'paymentFailure', 0.5);
    },
    async rollback(ctx) {
      await resetFlags(flagsFile(ctx.target.project), ['paymentFailure']);
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
    async inject(ctx) {
      await ctx.target.stop(await node(ctx, 'mariadb-3'), 30);
    },
    async rollback(ctx) {
      await ctx.target.start(await node(ctx, 'mariadb-3'));
      await waitSynced(ctx, 'mariadb-3');
    },
  },
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
];

export function findAlertDrill(alert: string): AlertDrill | undefined {
  return alertDrills.find((d) => d.alert === alert);
}
