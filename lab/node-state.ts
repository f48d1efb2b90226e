// Where each Galera node stands, read on the node itself (docker exec), never via HAProxy:
// the one reader of it (`stack up` and `stack status`, the drills' steady state, observer
// and report, the bench). Works the same on compose and Swarm (through a Target).
import { setTimeout as sleep } from 'node:timers/promises';
import type { LabContainer, Target } from './targets/target.ts';
import type { NodeSql } from './node-sql.ts';

export interface NodeState {
  /** the service name, e.g. mariadb-2 */
  node: string;
  /** the container's own name ('' when the node has no container) */
  container: string;
  /** docker state: running, paused, exited ..., or missing */
  docker: string;
  /** Docker health: healthy, unhealthy, starting, none */
  health?: string;
  /** undefined when the node could not be asked (stopped, paused, starting) */
  clusterSize?: number;
  clusterStatus?: string; // Primary | non-Primary | Disconnected
  localState?: string; // Synced | Donor/Desynced | Joining | Joined | Initialized ...
  ready?: boolean;
  lastCommitted?: number;
  /** innodb_flush_log_at_trx_commit: which durability profile the node runs */
  flushLogAtTrxCommit?: string;
  error?: string;
}

/** Synced, in the Primary component, ready, and in a cluster of the expected size. */
export function isHealthyNode(s: NodeState, expectedSize: number): boolean {
  return s.clusterStatus === 'Primary' && s.localState === 'Synced' && s.ready === true && s.clusterSize === expectedSize;
}

/** What Docker tells of a node, before it is asked anything. */
function containerState(c: LabContainer): NodeState {
  return { node: c.name, container: c.containerName, docker: c.state, health: c.health };
}

/** The node state of the wsrep status NodeSql.wsrepStatus reads. */
function fromWsrepStatus(c: LabContainer, st: Record<string, string>): NodeState {
  return {
    ...containerState(c),
    clusterSize: Number(st.wsrep_cluster_size ?? 'NaN'),
    clusterStatus: st.wsrep_cluster_status,
    localState: st.wsrep_local_state_comment,
    ready: st.wsrep_ready === 'ON',
    lastCommitted: Number(st.wsrep_last_committed ?? 'NaN'),
    flushLogAtTrxCommit: st.innodb_flush_log_at_trx_commit,
  };
}

/** Every Galera node of the lab (or `nodes`), each asked on its own container. */
export async function readNodeStates(target: Target, sql: NodeSql, nodes?: LabContainer[], timeoutMs?: number): Promise<NodeState[]> {
  const list = nodes ?? (await target.list('galera'));
  return Promise.all(
    list.map(async (c): Promise<NodeState> => {
      const base = containerState(c);
      if (c.state !== 'running') return { ...base, error: `container ${c.state}` };
      try {
        return fromWsrepStatus(c, await sql.wsrepStatus(c, timeoutMs));
      } catch (err) {
        return { ...base, error: (err as Error).message };
      }
    }),
  );
}

/** One line for people: "mariadb-1: Synced, Primary, cluster size 3, last committed 20". */
export function describeNodeState(s: NodeState): string {
  if (s.docker !== 'running') return `${s.node}: container ${s.docker}`;
  if (s.localState === undefined) return `${s.node}: running, mariadbd not answering yet${s.error ? ` (${s.error})` : ''}`;
  return `${s.node}: ${s.localState}, ${s.clusterStatus ?? '?'}, cluster size ${s.clusterSize ?? '?'}, ready ${s.ready ? 'ON' : 'OFF'}, last committed ${s.lastCommitted ?? '?'}`;
}

/**
 * Waits (bounded) until a node is in the Primary Component, Synced and ready, read on the
 * node itself. Gives up early when its container has exited (its entrypoint refused: the log
 * says why). `last` is what the node said last, for the message of a caller that gives up.
 */
export async function waitNodeSynced(target: Target, sql: NodeSql, name: string, timeoutMs: number): Promise<{ synced: boolean; last: string }> {
  const until = Date.now() + timeoutMs;
  let last = 'not answering';
  while (Date.now() < until) {
    const node = await target.find(name);
    if (node.state === 'exited' || node.state === 'dead') return { synced: false, last: `its container ${node.state}` };
    if (node.state === 'running') {
      const st = await sql.wsrepStatus(node, 5_000).catch(() => undefined); // undefined: still starting
      if (st) last = `${st.wsrep_local_state_comment ?? '?'}, ${st.wsrep_cluster_status ?? '?'}, ready ${st.wsrep_ready ?? '?'}`;
      if (st?.wsrep_cluster_status === 'Primary' && st.wsrep_local_state_comment === 'Synced' && st.wsrep_ready === 'ON') return { synced: true, last };
    } else {
      last = `its container ${node.state}`;
    }
    await sleep(1_000);
  }
  return { synced: false, last };
}
