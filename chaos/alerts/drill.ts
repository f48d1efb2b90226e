// What an alert drill is, and the small steps its causes and rollbacks are made of.
import { GALERA_NODES, waitNodeSynced, type LabContainer, type NodeSql, type Target } from '../../lab/index.ts';
import { pollUntil } from '../../shared/time.ts';
import { recordConsistency } from '../../stack/index.ts';
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
  /**
   * An alert Alertmanager rightly holds back while this one fires (a node down pages once,
   * as HAProxyBackendServerDown). The drill then judges that the alert fired in Prometheus,
   * that Alertmanager marked it suppressed while the inhibitor was delivered, that it was
   * never notified, and that it cleared after the rollback.
   */
  inhibitedBy?: string;
  /** in .ci/run (the others: `make alert-drills`) */
  ci: boolean;
  inject(ctx: AlertDrillContext): Promise<void>;
  rollback(ctx: AlertDrillContext): Promise<void>;
}

/** Each check's result goes to the textfile collector, as `stack verify` and the drills do. */
export async function checkConsistency(ctx: AlertDrillContext): Promise<void> {
  const r = await judgeConsistency(ctx.target, ctx.database);
  const nodes = (await ctx.target.list('galera')).length;
  await recordConsistency({ project: ctx.target.project }, toConsistencyCheck(r, nodes), { warn: ctx.say });
}

export async function node(ctx: AlertDrillContext, name: string): Promise<LabContainer> {
  return ctx.target.find(name);
}

/** Waits until the node is Primary, Synced and ready again (bounded); throws if not. */
export async function waitSynced(ctx: AlertDrillContext, name: string, boundMs = 120_000): Promise<void> {
  const r = await waitNodeSynced(ctx.target, ctx.sql, name, boundMs);
  if (!r.synced) throw new Error(`${name} not Synced within ${boundMs / 1000} s after the rollback (last seen: ${r.last})`);
}


/** Stops a lab service cleanly; rollback starts it again. */
export async function stopService(ctx: AlertDrillContext, name: string, timeoutSeconds = 30): Promise<void> {
  await ctx.target.stop(await node(ctx, name), timeoutSeconds);
}

export async function startService(ctx: AlertDrillContext, name: string): Promise<void> {
  await ctx.target.start(await node(ctx, name));
}

/** One SQL statement on one node, its single value (or undefined). */
async function nodeValue(ctx: AlertDrillContext, name: string, sql: string): Promise<string | undefined> {
  const rows = await ctx.sql.query(await node(ctx, name), sql);
  return rows[0]?.at(-1);
}

/**
 * Waits until every Galera node is Primary again after a quorum loss. Galera re-forms the
 * Primary Component by itself when the members of the last one meet again; if it has not
 * within half the bound, mariadb-1 is told to bootstrap one (the nodes held the same data:
 * no write could commit without quorum).
 */
export async function waitPrimary(ctx: AlertDrillContext, boundMs = 120_000): Promise<void> {
  const nudgeAt = Date.now() + boundMs / 2;
  let nudged = false;
  const primary = await pollUntil(Date.now() + boundMs, 1_000, async () => {
    const statuses = await Promise.all(GALERA_NODES.map((n) => nodeValue(ctx, n, "SHOW STATUS LIKE 'wsrep_cluster_status'").catch(() => undefined)));
    if (statuses.every((s) => s === 'Primary')) return true;
    if (!nudged && Date.now() > nudgeAt) {
      ctx.say(`the Primary Component did not re-form by itself (${statuses.join(', ')}): bootstrapping it on mariadb-1`);
      await ctx.sql.query(await node(ctx, 'mariadb-1'), "SET GLOBAL wsrep_provider_options = 'pc.bootstrap=YES'").catch(() => undefined);
      nudged = true;
    }
    return undefined;
  });
  if (!primary) throw new Error(`the Galera nodes are not all Primary within ${boundMs / 1000} s of the rollback`);
}
