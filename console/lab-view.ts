// GET /api/lab: what a lab user watches during a drill: each Galera node's state and
// HAProxy's view of it (from Prometheus, which scrapes both), the drill running and its
// phase, the alerts firing, the last notifications Alertmanager sent (this console's own
// receiver). Each source that does not answer is reported as such, the others still shown.
import express, { type Router } from 'express';
import { PrometheusClient, type InstantSample } from '../shared/prometheus.ts';
import type { Notification } from './notifications.ts';

const WSREP_STATES: Record<string, string> = { '1': 'Joining', '2': 'Donor/Desynced', '3': 'Joined', '4': 'Synced' };

async function part<T>(fn: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await fn();
  } catch (err) {
    return { error: (err as Error).message };
  }
}

export function labView(prometheusUrl: string | undefined, notifications: readonly Notification[]): Router {
  const r = express.Router();
  const prom = prometheusUrl ? new PrometheusClient(prometheusUrl, { timeoutMs: 2_000 }) : undefined;
  const needProm = (): PrometheusClient => {
    if (!prom) throw new Error('no Prometheus configured (PROMETHEUS_URL)');
    return prom;
  };
  r.get('/', async (_req, res) => {
    const nodes = part(async () => {
      const p = needProm();
      const [up, state, size, primary, haproxy] = await Promise.all([
        p.query('mysql_up'), p.query('mysql_global_status_wsrep_local_state'), p.query('mysql_global_status_wsrep_cluster_size'),
        p.query('mysql_global_status_wsrep_cluster_status'), p.query('haproxy_server_status{proxy="galera"} == 1'),
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
      const [phase] = await needProm().query('chaos_drill_phase == 1');
      return phase ? { drill: phase.metric.drill, phase: phase.metric.phase } : null;
    });
    const alerts = part(async () =>
      (await needProm().alerts()).map((a) => ({ alertname: a.labels.alertname, severity: a.labels.severity, state: a.state, since: a.activeAt, labels: a.labels })));
    res.json({ nodes: await nodes, drill: await drill, alerts: await alerts, notifications: notifications.slice(-10) });
  });
  return r;
}
