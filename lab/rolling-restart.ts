// A rolling restart of the Galera nodes, one at a time, the way a configuration change or an
// upgrade is rolled out. Each node is first taken out of HAProxy (clustercheck.sh answers 503
// while /run/galera/maintenance exists; HAProxy marks it down and shuts its sessions, and the
// shop retries what was in flight on a live node), then stopped cleanly (it says goodbye to the
// cluster, so nobody waits for an eviction), started, Synced, and back in HAProxy (its
// entrypoint removes the file) before the next one. Used by `smartshop stack restart --rolling`
// and the rolling-restart drill (chaos/faults/rolling-restart.ts).
import { pollUntil } from '../shared/time.ts';
import { isOut, isUp, type HaproxyServer } from './haproxy.ts';
import type { NodeSql } from './node-sql.ts';
import { waitNodeSynced } from './node-state.ts';
import type { LabContainer, Target } from './targets/target.ts';

const MAINTENANCE_FILE = '/run/galera/maintenance';

export interface RollingOptions {
  /** the galera backend's servers as HAProxy sees them now; undefined when it does not answer */
  haproxy: () => Promise<HaproxyServer[] | undefined>;
  log: (line: string) => void;
  stopTimeoutSeconds?: number;
  /** for each node to be Synced after its start */
  syncTimeoutMs?: number;
}

/** What one node's restart took, ms from the start of its turn. */
export interface RollingStep {
  node: string;
  outOfHaproxyMs: number;
  stoppedMs: number;
  syncedMs: number;
  backInMs: number;
}

/** Restarts every node of `nodes` in turn; throws (naming the node and the step) when one does not come back. */
export async function rollingRestart(target: Target, sql: NodeSql, nodes: LabContainer[], o: RollingOptions): Promise<RollingStep[]> {
  const steps: RollingStep[] = [];
  const syncTimeoutMs = o.syncTimeoutMs ?? 120_000;
  for (const node of nodes) {
    const t0 = Date.now();
    const since = (): number => Date.now() - t0;
    o.log(`${node.name}: out of HAProxy`);
    const mark = await target.exec(node, ['touch', MAINTENANCE_FILE], { timeoutMs: 10_000 });
    if (mark.exitCode !== 0) throw new Error(`${node.name}: could not mark it for maintenance: ${mark.stderr.trim()}`);
    if (!(await waitHaproxy(o.haproxy, node.name, isOut, 15_000))) throw new Error(`${node.name}: HAProxy did not take it out within 15 s of its maintenance mark`);
    const outOfHaproxyMs = since();
    await target.stop(node, o.stopTimeoutSeconds ?? 30);
    const stoppedMs = since();
    o.log(`${node.name}: stopped after ${(stoppedMs / 1000).toFixed(1)} s; starting`);
    await target.start(await target.find(node.name));
    const synced = await waitNodeSynced(target, sql, node.name, syncTimeoutMs);
    if (!synced.synced) throw new Error(`${node.name}: not Synced within ${syncTimeoutMs / 1000} s of its start (last seen: ${synced.last})`);
    const syncedMs = since();
    if (!(await waitHaproxy(o.haproxy, node.name, isUp, 30_000))) throw new Error(`${node.name}: Synced, but HAProxy did not take it back within 30 s`);
    const backInMs = since();
    o.log(`${node.name}: Synced after ${(syncedMs / 1000).toFixed(1)} s, back in HAProxy after ${(backInMs / 1000).toFixed(1)} s`);
    steps.push({ node: node.name, outOfHaproxyMs, stoppedMs, syncedMs, backInMs });
  }
  return steps;
}

/** Removes a maintenance mark left by an interrupted rolling restart (the node stays in HAProxy's rotation otherwise out). */
export async function clearMaintenance(target: Target, node: LabContainer): Promise<void> {
  const c = await target.find(node.name);
  if (c.state === 'running') await target.exec(c, ['rm', '-f', MAINTENANCE_FILE], { timeoutMs: 10_000 });
}

/** Whether HAProxy showed `server` in a state `ok` accepts within `timeoutMs` (read every 250 ms). */
async function waitHaproxy(read: RollingOptions['haproxy'], server: string, ok: (status: string) => boolean, timeoutMs: number): Promise<boolean> {
  const seen = await pollUntil(Date.now() + timeoutMs, 250, async () => {
    const s = (await read())?.find((x) => x.server === server);
    return s && ok(s.status) ? true : undefined;
  });
  return seen === true;
}
