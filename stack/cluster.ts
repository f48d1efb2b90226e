// Reads the running lab for `stack up` and `stack status`: each Galera node's state (asked
// inside its container, nodes publish no ports: lab/node-state.ts), Prometheus' targets and
// the shop's readiness, through the ports the stack publishes.
import { ComposeTarget, GALERA_NODES, hostFor, NodeSql, readNodeStates, type LabConfig, type NodeState } from '../lab/index.ts';
import { getText } from '../shared/http-json.ts';
import { PrometheusClient, type PromTarget } from '../shared/prometheus.ts';

const prometheus = (config: LabConfig): PrometheusClient => new PrometheusClient(`http://${hostFor(config)}:${config.ports.prometheus}`, { timeoutMs: 3_000 });

/** The three Galera nodes of a compose lab, in order; a node without a container is 'missing'. */
export async function nodeStates(config: LabConfig): Promise<NodeState[]> {
  const target = new ComposeTarget(config.project);
  const found = await readNodeStates(target, new NodeSql(target));
  return GALERA_NODES.map((node) => found.find((s) => s.node === node) ?? { node, container: '', docker: 'missing' });
}

export async function promTargets(config: LabConfig): Promise<PromTarget[]> {
  try {
    return await prometheus(config).targets();
  } catch {
    return [];
  }
}

/** How many Alertmanagers Prometheus sends its alerts to now (0 when it does not answer). */
export async function activeAlertmanagers(config: LabConfig): Promise<number> {
  try {
    return await prometheus(config).alertmanagers();
  } catch {
    return 0;
  }
}

/** The shop's health through the edge (an exempt route): 200 once the edge forwards to it, 0 when it does not answer. */
export async function edgeReady(config: LabConfig): Promise<number> {
  try {
    return (await getText(`http://${hostFor(config)}:${config.ports.edge}/api/health`)).status;
  } catch {
    return 0;
  }
}

/** HTTP status of the shop's GET /api/ready, 0 when it does not answer. */
export async function appReady(config: LabConfig): Promise<number> {
  try {
    return (await getText(`http://${hostFor(config)}:${config.ports.api}/api/ready`)).status;
  } catch {
    return 0;
  }
}
