// GET /api/lab: what a lab user watches during a drill, for the web UI's lab page: each
// Galera node's state and HAProxy's view of it (from Prometheus, which scrapes both), the
// drill running and its phase, the alerts firing, the last notifications Alertmanager sent.
// The same guard as the flags API (off unless FLAGS_API_ENABLED, this machine only); each
// source that does not answer is reported as such, the others still shown.
import type { Router } from 'express';
import { newRouter } from '../http/request-context.ts';
import type { AppContext } from '../context.ts';
import { flagsGuard } from './flags.ts';
import { getJson } from '../../shared/http-json.ts';
import { PrometheusClient, type InstantSample } from '../../shared/prometheus.ts';

const WSREP_STATES: Record<string, string> = { '1': 'Joining', '2': 'Donor/Desynced', '3': 'Joined', '4': 'Synced' };

async function part<T>(fn: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await fn();
  } catch (err) {
    return { error: (err as Error).message };
  }
}

export function labViewRouter(ctx: AppContext): Router {
  const r = newRouter();
  r.use(flagsGuard(ctx));
  r.get('/', async (_req, res) => {
    const { prometheusUrl, alertRecorderUrl: recorder } = ctx.config.lab;
    const prom = prometheusUrl ? new PrometheusClient(prometheusUrl, { timeoutMs: 2_000 }) : undefined;
    const nodes = part(async () => {
      if (!prom) throw new Error('no Prometheus configured (LAB_PROMETHEUS_URL)');
      const [up, state, size, primary, haproxy] = await Promise.all([
        prom.query('mysql_up'), prom.query('mysql_global_status_wsrep_local_state'), prom.query('mysql_global_status_wsrep_cluster_size'),
        prom.query('mysql_global_status_wsrep_cluster_status'), prom.query('haproxy_server_status{proxy="galera"} == 1'),
      ]);
      const of = (list: InstantSample[], node: string): string | undefined => list.find((s) => s.metric.node === node)?.value.toString();
      const names = [...new Set(up.map((s) => s.metric.node).filter((n): n is string => n !== undefined))].sort();
      return names.map((node) => ({
        node,
        up: of(up, node) === '1',
        state: of(up, node) === '1' ? (WSREP_STATES[of(state, node) ?? ''] ?? 'unknown') : 'down',
        clusterSize: Number(of(size, node) ?? 0),
        primary: of(primary, node) === '1',
        haproxy: haproxy.find((s) => s.metric.server === node)?.metric.state ?? 'unknown',
      }));
    });
    const drill = part(async () => {
      if (!prom) throw new Error('no Prometheus configured (LAB_PROMETHEUS_URL)');
      const [phase] = await prom.query('chaos_drill_phase == 1');
      return phase ? { drill: phase.metric.drill, phase: phase.metric.phase } : null;
    });
    const alerts = part(async () => {
      if (!prom) throw new Error('no Prometheus configured (LAB_PROMETHEUS_URL)');
      return (await prom.alerts()).map((a) => ({ alertname: a.labels.alertname, severity: a.labels.severity, state: a.state, since: a.activeAt, labels: a.labels }));
    });
    const notifications = part(async () => {
      if (!recorder) throw new Error('no alert recorder configured (LAB_ALERT_RECORDER_URL)');
      return (await getJson<{ notifications: unknown[] }>(`${recorder}/notifications?limit=10`, 2_000)).notifications;
    });
    res.json({ nodes: await nodes, drill: await drill, alerts: await alerts, notifications: await notifications });
  });
  return r;
}
