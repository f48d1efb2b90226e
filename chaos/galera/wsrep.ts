// Where each Galera node stands, read on the node itself (docker exec), never via HAProxy.
import type { LabContainer, Target } from '../targets/target.ts';
import type { NodeSql } from './node-sql.ts';

export interface NodeState {
  node: string;
  container: string;
  /** docker state: running, paused, exited ... */
  docker: string;
  /** undefined when the node could not be asked (stopped, paused, starting) */
  clusterSize?: number;
  clusterStatus?: string; // Primary | non-Primary | Disconnected
  localState?: string; // Synced | Donor/Desynced | Joining | Joined | Initialized ...
  ready?: boolean;
  lastCommitted?: number;
  error?: string;
}

export function isHealthyNode(s: NodeState, expectedSize: number): boolean {
  return s.clusterStatus === 'Primary' && s.localState === 'Synced' && s.ready === true && s.clusterSize === expectedSize;
}

export async function readNodeStates(target: Target, sql: NodeSql, nodes?: LabContainer[]): Promise<NodeState[]> {
  const list = nodes ?? (await target.list('galera'));
  return Promise.all(
    list.map(async (c): Promise<NodeState> => {
      const base = { node: c.name, container: c.containerName, docker: c.state };
      if (c.state !== 'running') return { ...base, error: `container ${c.state}` };
      try {
        const st = await sql.wsrepStatus(c);
        return {
          ...base,
          clusterSize: Number(st.wsrep_cluster_size ?? 'NaN'),
          clusterStatus: st.wsrep_cluster_status,
          localState: st.wsrep_local_state_comment,
          ready: st.wsrep_ready === 'ON',
          lastCommitted: Number(st.wsrep_last_committed ?? 'NaN'),
        };
      } catch (err) {
        return { ...base, error: (err as Error).message };
      }
    }),
  );
}

export function describeNodeState(s: NodeState): string {
  if (s.error) return `${s.node}: ${s.error}`;
  return `${s.node}: ${s.clusterStatus}/${s.localState} size ${s.clusterSize} ready ${s.ready ? 'ON' : 'OFF'} last_committed ${s.lastCommitted}`;
}
