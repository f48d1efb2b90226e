// Polls the lab until everything is healthy, printing progress as it changes:
// each node's wsrep state and cluster size as it joins, HAProxy's servers, the
// shop, Prometheus' targets. Bounded: reports what is not healthy at the deadline.
import { activeAlertmanagers, appReady, edgeReady, nodeStates, promTargets } from './cluster.ts';
import { describeNodeState, haproxyServers, isHealthyNode, type HaproxyServer, type LabConfig, type NodeState } from '../lab/index.ts';
import { BrokerApi, brokerProblems, describeBroker, type BrokerState } from '../lab/broker.ts';
import type { PromTarget } from '../shared/prometheus.ts';

export interface Readiness {
  nodes: NodeState[];
  haproxy: HaproxyServer[];
  appStatus: number;
  /** the shop's /api/health through the edge (0: no answer) */
  edgeStatus: number;
  targets: PromTarget[];
  /** Alertmanagers Prometheus sends to (1 in a ready lab) */
  alertmanagers: number;
  broker: BrokerState;
}

/** Jobs that may be down in a healthy lab: the simulator and the chaos runner are
 * processes on the host that serve metrics only while they run. */
export const OPTIONAL_JOBS = new Set(['simulator', 'chaos']);

async function readiness(config: LabConfig): Promise<Readiness> {
  const [nodes, haproxy, appStatus, edgeStatus, targets, alertmanagers, broker] = await Promise.all([
    nodeStates(config), haproxyServers(config), appReady(config), edgeReady(config), promTargets(config), activeAlertmanagers(config), new BrokerApi(config).state(),
  ]);
  return { nodes, haproxy, appStatus, edgeStatus, targets, alertmanagers, broker };
}

/** What is not healthy yet, one short phrase each; empty when the lab is ready. */
export function notReady(r: Readiness): string[] {
  const problems: string[] = [];
  for (const n of r.nodes) {
    if (!isHealthyNode(n, r.nodes.length)) problems.push(describeNodeState(n));
  }
  const galera = r.haproxy.filter((s) => s.backend === 'galera');
  const down = galera.filter((s) => !s.status.startsWith('UP'));
  if (galera.length === 0) problems.push('HAProxy stats not answering');
  else if (down.length) problems.push(`HAProxy: ${down.map((s) => `${s.server} ${s.status}`).join(', ')}`);
  problems.push(...brokerProblems(r.broker));
  if (r.appStatus !== 200) problems.push(`shop /api/ready: ${r.appStatus === 0 ? 'no answer' : `HTTP ${r.appStatus}`}`);
  if (r.edgeStatus !== 200) problems.push(`edge /api/health: ${r.edgeStatus === 0 ? 'no answer' : `HTTP ${r.edgeStatus}`}`);
  const targetsDown = r.targets.filter((t) => t.health !== 'up' && !OPTIONAL_JOBS.has(t.job));
  if (r.targets.length === 0) problems.push('Prometheus targets not answering');
  else if (targetsDown.length) problems.push(`Prometheus targets down: ${targetsDown.map((t) => `${t.job}/${t.instance}`).join(', ')}`);
  if (r.targets.length > 0 && r.alertmanagers === 0) problems.push('Prometheus has no Alertmanager to send alerts to');
  return problems;
}

/** One line per fact, so that progress printing can show only what changed. */
function progressLines(r: Readiness): string[] {
  const lines = r.nodes.map(describeNodeState);
  const galera = r.haproxy.filter((s) => s.backend === 'galera');
  if (galera.length) lines.push(`HAProxy: ${galera.map((s) => `${s.server} ${s.status}`).join(', ')}`);
  // the nodes' line only: the queues' counts change all the time (stack up prints them once)
  lines.push(describeBroker({ ...r.broker, queues: [] })[0] as string);
  lines.push(`shop: ${r.appStatus === 200 ? 'ready' : r.appStatus === 0 ? 'not answering' : `HTTP ${r.appStatus}`}`);
  lines.push(`edge: ${r.edgeStatus === 200 ? 'forwarding to the shop' : r.edgeStatus === 0 ? 'not answering' : `HTTP ${r.edgeStatus}`}`);
  if (r.targets.length) {
    const up = r.targets.filter((t) => t.health === 'up').length;
    lines.push(`Prometheus: ${up}/${r.targets.length} targets up, ${r.alertmanagers === 0 ? 'no Alertmanager yet' : 'sending alerts to Alertmanager'}`);
  }
  return lines;
}

export async function waitUntilReady(
  config: LabConfig,
  options: { timeoutMs: number; intervalMs?: number; log?: (line: string) => void; isAborted?: () => string | undefined },
): Promise<{ ready: boolean; problems: string[]; last: Readiness }> {
  const deadline = Date.now() + options.timeoutMs;
  const printed = new Set<string>();
  let last = await readiness(config);
  for (let round = 0; round < 10_000; round++) {
    for (const line of progressLines(last)) {
      if (!printed.has(line)) { printed.add(line); options.log?.(`  ${line}`); }
    }
    const problems = notReady(last);
    if (problems.length === 0) return { ready: true, problems, last };
    const aborted = options.isAborted?.();
    if (aborted) return { ready: false, problems: [aborted, ...problems], last };
    if (Date.now() >= deadline) return { ready: false, problems, last };
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 2_000));
    last = await readiness(config);
  }
  return { ready: false, problems: notReady(last), last };
}
