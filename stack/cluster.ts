// Reads the running lab for `stack up` and `stack status`: each Galera node's state (asked
// inside its container, nodes publish no ports: lab/node-state.ts), Prometheus' targets and
// the shop's readiness, through the ports the stack publishes.
import { ComposeTarget, GALERA_NODES, hostFor, NodeSql, readNodeStates, type LabConfig, type NodeState } from '../lab/index.ts';
import { parsePromTargets } from './parse.ts';
import type { PromTarget } from './types.ts';
import { getText } from '../shared/http-json.ts';

/** The three Galera nodes of a compose lab, in order; a node without a container is 'missing'. */
export async function nodeStates(config: LabConfig): Promise<NodeState[]> {
  const target = new ComposeTarget(config.project);
  const found = await readNodeStates(target, new NodeSql(target));
  return GALERA_NODES.map((node) => found.find((s) => s.node === node) ?? { node, container: '', docker: 'missing' });
}

export async function promTargets(config: LabConfig): Promise<PromTarget[]> {
  try {
    const { body } = await getText(`http://${hostFor(config)}:${config.ports.prometheus}/api/v1/targets`);
    return parsePromTargets(JSON.parse(body));
  } catch {
    return [];
  }
}

/** How many Alertmanagers Prometheus sends its alerts to now (0 when it does not answer). */
export async function activeAlertmanagers(config: LabConfig): Promise<number> {
  try {
    const { body } = await getText(`http://${hostFor(config)}:${config.ports.prometheus}/api/v1/alertmanagers`);
    return ((JSON.parse(body) as { data?: { activeAlertmanagers?: unknown[] } }).data?.activeAlertmanagers ?? []).length;
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
