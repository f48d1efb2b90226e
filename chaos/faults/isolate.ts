// Galera's group communication cut on some nodes (gmcast.isolate) and nothing else: their
// exporters and HAProxy still reach them, so only Galera's own view changes. Isolating two
// of three leaves no component with a majority: every node leaves Primary. The rollback
// lifts the isolation and waits for the Primary Component to re-form; if it has not within
// half the bound, mariadb-1 bootstraps one (the nodes hold the same data: nothing could
// commit without quorum).
import { GALERA_NODES, waitNodeSynced, type NodeSql, type Target } from '../../lab/index.ts';
import { pollUntil } from '../../shared/time.ts';
import type { Fault } from './fault.ts';

export type IsolateSpec = { kind: 'isolate'; boundSeconds: number };

async function setIsolated(sql: NodeSql, target: Target, names: string[], on: boolean): Promise<void> {
  for (const name of names) await sql.query(await target.find(name), `SET GLOBAL wsrep_provider_options = 'gmcast.isolate=${on ? 1 : 0}'`);
}

async function clusterStatus(sql: NodeSql, target: Target, name: string): Promise<string | undefined> {
  const rows = await sql.query(await target.find(name), "SHOW STATUS LIKE 'wsrep_cluster_status'").catch(() => []);
  return rows[0]?.at(-1);
}

async function waitPrimary(sql: NodeSql, target: Target, boundMs: number, log: (line: string) => void): Promise<boolean> {
  const nudgeAt = Date.now() + boundMs / 2;
  let nudged = false;
  const primary = await pollUntil(Date.now() + boundMs, 1_000, async () => {
    const statuses = await Promise.all(GALERA_NODES.map((n) => clusterStatus(sql, target, n)));
    if (statuses.every((s) => s === 'Primary')) return true;
    if (!nudged && Date.now() > nudgeAt) {
      log(`the Primary Component did not re-form by itself (${statuses.join(', ')}): bootstrapping it on mariadb-1`);
      await sql.query(await target.find('mariadb-1'), "SET GLOBAL wsrep_provider_options = 'pc.bootstrap=YES'").catch(() => undefined);
      nudged = true;
    }
    return undefined;
  });
  return primary === true;
}

export const isolate: Fault<IsolateSpec> = {
  describe: (_f, victims) => `isolate ${victims.join(', ')} from Galera's group communication (gmcast.isolate=1); later lifted, the Primary Component re-formed`,
  async inject(f, { target, sql, victims, log }) {
    const names = victims.map((v) => v.name);
    // a node that could not be isolated leaves no rollback to the runner: lift what was set
    await setIsolated(sql, target, names, true).catch(async (err: unknown) => {
      await setIsolated(sql, target, names, false).catch(() => undefined);
      throw err;
    });
    return {
      rollback: async () => {
        try {
          await setIsolated(sql, target, names, false);
          if (!(await waitPrimary(sql, target, f.boundSeconds * 1000, log))) return [`the Galera nodes are not all Primary within ${f.boundSeconds} s of the rollback`];
          const problems: string[] = [];
          for (const name of names) {
            const r = await waitNodeSynced(target, sql, name, f.boundSeconds * 1000);
            if (!r.synced) problems.push(`${name} not Synced within ${f.boundSeconds} s (last seen: ${r.last})`);
          }
          return problems;
        } catch (err) {
          return [`isolation not lifted: ${(err as Error).message}`];
        }
      },
    };
  },
};
