// Reads the running lab: each Galera node's wsrep status (queried inside its
// container, nodes publish no ports), HAProxy's servers, Prometheus' targets and
// the shop's readiness, through the ports the stack publishes.
import { GALERA_NODES, hostFor } from './config.ts';
import { execIn, healthOf, serviceContainer } from './docker.ts';
import { parseHaproxyCsv, parsePromTargets, parseTabbed } from './parse.ts';
import type { HaproxyServer, NodeState, PromTarget, StackConfig } from './types.ts';

const STATUS_SQL =
  "SHOW GLOBAL STATUS LIKE 'wsrep_%'; SELECT 'innodb_flush_log_at_trx_commit', @@innodb_flush_log_at_trx_commit";

export async function nodeState(config: StackConfig, node: string): Promise<NodeState> {
  const info = await serviceContainer(config.project, node);
  if (!info) return { node, container: 'missing', health: 'none', wsrep: {} };
  const state: NodeState = { node, container: info.State, health: healthOf(info), wsrep: {} };
  if (info.State !== 'running') return state;
  try {
    const r = await execIn(info.Id, ['mariadb', '--connect-timeout=2', '-N', '-B', '-e', STATUS_SQL], 8_000);
    if (r.exitCode === 0) state.wsrep = parseTabbed(r.stdout);
    else state.error = r.stderr.trim().split('\n').pop() ?? `exit ${r.exitCode}`;
  } catch (e) {
    state.error = (e as Error).message;
  }
  return state;
}

export async function nodeStates(config: StackConfig): Promise<NodeState[]> {
  return Promise.all(GALERA_NODES.map((n) => nodeState(config, n)));
}

async function fetchText(url: string, timeoutMs = 3_000): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, body: await res.text() };
}

export async function haproxyServers(config: StackConfig): Promise<HaproxyServer[]> {
  try {
    const { body } = await fetchText(`http://${hostFor(config)}:${config.ports.haproxyStats}/;csv`);
    return parseHaproxyCsv(body);
  } catch {
    return [];
  }
}

export async function promTargets(config: StackConfig): Promise<PromTarget[]> {
  try {
    const { body } = await fetchText(`http://${hostFor(config)}:${config.ports.prometheus}/api/v1/targets`);
    return parsePromTargets(JSON.parse(body));
  } catch {
    return [];
  }
}

/** HTTP status of the shop's GET /api/ready, 0 when it does not answer. */
export async function appReady(config: StackConfig): Promise<number> {
  try {
    return (await fetchText(`http://${hostFor(config)}:${config.ports.api}/api/ready`)).status;
  } catch {
    return 0;
  }
}
