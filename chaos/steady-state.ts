// The steady-state hypothesis every drill checks before acting (and polls for after the
// rollback): three Galera nodes Primary + Synced + ready, HAProxy has them all UP, the
// shop is ready, every broker node runs with every quorum queue's replica online (where the
// lab has a broker), and the shop's error ratio and p99 are within tolerance (Prometheus when
// it answers, else direct probes of the shop).
import { HttpClient } from '../shared/http-client.ts';
import { LAB_TOOLS_HEADERS } from '../shared/rate-limit.ts';
import type { NodeSql } from '../lab/index.ts';
import { describeNodeState, isHealthyNode, readNodeStates } from '../lab/index.ts';
import { fetchHaproxyServers, isUp } from '../lab/index.ts';
import { queueReplicas } from '../lab/broker.ts';
import { ERROR_RATIO_QUERY, P99_QUERY, STEADY_WINDOW } from './observe/prometheus.ts';
import { PrometheusClient } from '../shared/prometheus.ts';
import type { Target } from '../lab/index.ts';

export interface Endpoints {
  api: string;
  haproxyStats: string;
  prometheus: string;
  grafana: string;
  /** the lab console (Alertmanager's notifications, its view of Alertmanager): alert drills need it */
  console?: string;
  /** the edge (edge/): the drills whose traffic goes through it need it */
  edge?: string;
}

export interface Tolerances {
  clusterSize: number;
  maxErrorRatio: number;
  maxP99Seconds: number;
}

const defaultTolerances: Tolerances = { clusterSize: 3, maxErrorRatio: 0.05, maxP99Seconds: 2 };

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface SteadyState {
  ok: boolean;
  checks: Check[];
}

/** p-th percentile of a list (nearest rank). Pure. */
export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export async function checkSteadyState(target: Target, sql: NodeSql, ep: Endpoints, tol: Tolerances = defaultTolerances, usePrometheus = true): Promise<SteadyState> {
  const http = new HttpClient({ baseUrl: ep.api, timeoutMs: 5_000, headers: LAB_TOOLS_HEADERS });
  // the parts ask different things (SQL on each node, HAProxy's page, rabbitmqctl, the shop):
  // side by side, so that a poll during recovery takes as long as its slowest part, not their sum
  const parts = await Promise.all([galeraChecks(target, sql, tol), haproxyCheck(target, ep), brokerCheck(target), readyCheck(http)]);
  const checks: Check[] = parts.flat();
  const prometheus = new PrometheusClient(ep.prometheus, { timeoutMs: 3_000 });
  if (usePrometheus && (await prometheus.ready())) {
    // best effort: a query that fails counts as no figure (the direct probes still ran)
    const [ratio, p99] = await Promise.all([ERROR_RATIO_QUERY, P99_QUERY].map((q) => prometheus.scalar(q).catch(() => undefined)));
    checks.push({ name: `error ratio (prometheus, ${STEADY_WINDOW})`, ok: ratio === undefined || ratio <= tol.maxErrorRatio, detail: ratio === undefined ? 'no traffic in the window' : `${(ratio * 100).toFixed(2)} % (max ${tol.maxErrorRatio * 100} %)` });
    checks.push({ name: `p99 latency (prometheus, ${STEADY_WINDOW})`, ok: p99 === undefined || !Number.isFinite(p99) || p99 <= tol.maxP99Seconds, detail: p99 === undefined || !Number.isFinite(p99) ? 'no traffic in the window' : `${Math.round(p99 * 1000)} ms (max ${tol.maxP99Seconds * 1000} ms)` });
  } else {
    // direct probes: reads that touch the database. Twenty samples judged at p90: with so
    // few, a p99 is the maximum, and one slow answer on a busy host is not an unhealthy lab
    const n = 20;
    const times: number[] = [];
    let errors = 0;
    for (let i = 0; i < n; i++) {
      const r = await http.get(i % 2 === 0 ? '/api/products' : '/api/stats');
      times.push(r.durationMs);
      if (r.kind !== 'response' || r.status >= 500) errors++;
    }
    const p90 = percentile(times, 90) ?? 0;
    checks.push({ name: 'error ratio (probes)', ok: errors / n <= tol.maxErrorRatio, detail: `${errors}/${n} probe errors` });
    checks.push({ name: 'p90 latency (probes)', ok: p90 <= tol.maxP99Seconds * 1000, detail: `${Math.round(p90)} ms (max ${tol.maxP99Seconds * 1000} ms)` });
  }
  return { ok: checks.every((c) => c.ok), checks };
}

async function galeraChecks(target: Target, sql: NodeSql, tol: Tolerances): Promise<Check[]> {
  const nodes = await target.list('galera');
  const states = await readNodeStates(target, sql, nodes);
  const unhealthy = states.filter((s) => !isHealthyNode(s, tol.clusterSize));
  return [
    { name: 'galera nodes', ok: nodes.length === tol.clusterSize, detail: `${nodes.length} lab Galera container(s), expected ${tol.clusterSize}` },
    {
      name: 'galera state',
      ok: states.length > 0 && unhealthy.length === 0,
      detail: unhealthy.length === 0 ? `all ${states.length} Primary/Synced, size ${tol.clusterSize}` : unhealthy.map(describeNodeState).join('; '),
    },
  ];
}

async function haproxyCheck(target: Target, ep: Endpoints): Promise<Check[]> {
  const haproxy = await target.list('haproxy');
  const servers = haproxy.some((h) => h.state === 'running') ? await fetchHaproxyServers(ep.haproxyStats) : undefined;
  const notUp = servers?.filter((s) => !isUp(s.status)) ?? [];
  return [{
    name: 'haproxy',
    ok: servers !== undefined && servers.length > 0 && notUp.length === 0,
    detail: servers === undefined ? `stats not answering at ${ep.haproxyStats}` : notUp.length === 0 ? `${servers.length} server(s) UP` : notUp.map((s) => `${s.server} ${s.status}`).join(', '),
  }];
}

/** Every broker node runs and every queue has a leader and all its replicas, a classic one its node (none when the lab has no broker). */
async function brokerCheck(target: Target): Promise<Check[]> {
  const brokers = await target.list('rabbitmq');
  if (brokers.length === 0) return [];
  const running = brokers.filter((b) => b.state === 'running').length;
  const replicas = running > 0 ? await queueReplicas(target) : undefined;
  const short = (replicas ?? []).filter((q) => q.leader === undefined || q.online.length < q.members.length);
  return [{
    name: 'broker',
    ok: running === brokers.length && replicas !== undefined && short.length === 0,
    detail: running < brokers.length ? `${running}/${brokers.length} broker node(s) running`
      : replicas === undefined ? 'no broker node answers rabbitmqctl'
      : short.length > 0 ? short.map((q) => `queue ${q.queue}: ${q.online.length}/${q.members.length} replicas online${q.leader ? '' : ', no leader'}`).join('; ')
      : `${running} node(s) running, ${replicas.map((q) => `${q.queue} led by ${q.leader}`).join(', ')}`,
  }];
}

/**
 * A drill's steady state: the lab's, and for the edge's drills (their clients' way in) the
 * edge forwarding to the shop through its exempt health route.
 */
export async function drillSteadyState(target: Target, sql: NodeSql, ep: Endpoints, throughEdge: boolean, usePrometheus = true): Promise<SteadyState> {
  const state = await checkSteadyState(target, sql, ep, defaultTolerances, usePrometheus);
  if (!throughEdge || ep.edge === undefined) return state;
  const res = await new HttpClient({ baseUrl: ep.edge, timeoutMs: 5_000, headers: LAB_TOOLS_HEADERS }).get('/api/health');
  const edge = { name: 'edge forwards', ok: res.kind === 'response' && res.status === 200, detail: `GET ${ep.edge}/api/health: ${res.kind === 'response' ? res.status : res.kind}` };
  return { ok: state.ok && edge.ok, checks: [...state.checks, edge] };
}

async function readyCheck(http: HttpClient): Promise<Check[]> {
  const ready = await http.get('/api/ready');
  return [{ name: 'shop ready', ok: ready.kind === 'response' && ready.status === 200, detail: `GET /api/ready: ${ready.kind === 'response' ? ready.status : ready.kind}` }];
}
