// Chaos: one page to read a drill. Fault windows (chaos_fault_active) are shaded on every
// graph and marked as annotations; beside them the client's error ratio and latency, the
// Galera cluster size and HAProxy's view of each server.
import { higherIsWorse, q, rate, stateMappings, stateTimeline, timeseries } from './panels.ts';
import type { DashboardSpec } from './types.ts';

const fault = { faultOnly: true };
// "x or total * 0" shows 0 instead of nothing when no error happened yet, but still shows
// nothing when the target is not scraped at all (vector(0) would hide that).
const clientRate = `sum(${rate('simulator_requests_total')})`;
const serverRate = `sum(${rate('http_requests_total')})`;

export const chaosDashboard: DashboardSpec = {
  uid: 'smartshop-chaos',
  title: 'SmartShop / Chaos',
  description: 'Fault windows of chaos drills next to what clients saw, the Galera cluster size and HAProxy server state.',
  file: 'chaos.json',
  variables: [],
  annotations: [
    {
      name: 'Chaos faults',
      expr: 'chaos_fault_active == 1',
      titleFormat: 'fault: {{drill}} on {{target}}',
      tagKeys: 'drill,target',
      color: 'red',
      faultOnly: true,
    },
  ],
  rows: [
    {
      title: 'Faults',
      panels: [
        stateTimeline({
          title: 'Active faults',
          description: 'Each drill fault while it is active (chaos_fault_active = 1), by drill and target.',
          unit: 'none',
          queries: q('chaos_fault_active', '{{drill}} → {{target}}', fault),
          mappings: stateMappings({ 0: ['idle', 'transparent'], 1: ['FAULT', 'red'] }),
        }),
        stateTimeline({
          title: 'Drill phase',
          description: 'The phase the running drill is in (chaos_drill_phase): steady-state hypothesis, method, rollbacks, recovery, judgement, report.',
          unit: 'none',
          queries: q('chaos_drill_phase == 1', '{{drill}}: {{phase}}', fault),
          mappings: stateMappings({ 0: ['idle', 'transparent'], 1: ['in phase', 'blue'] }),
        }),
        timeseries({
          title: 'Fault injections',
          description: 'Faults injected by drill and target over the panel interval (chaos_injections_total).',
          unit: 'short',
          queries: q('sum by (drill, target) (increase(chaos_injections_total[$__rate_interval]))', '{{drill}} → {{target}}', fault),
        }),
      ],
    },
    {
      title: 'What clients and the cluster saw',
      panels: [
        timeseries({
          title: 'Client error ratio',
          description: 'Share of simulator requests that ended in a 5xx, a timeout or a connection error.',
          unit: 'percentunit',
          queries: q(
            `(sum(${rate('simulator_requests_total{outcome=~"5..|timeout|error"}')}) or ${clientRate} * 0) / ${clientRate}`,
            'client errors',
          ),
          thresholds: higherIsWorse(0.01, 0.05),
          faultShading: true,
          min: 0,
        }),
        timeseries({
          title: 'Client latency p99',
          description: '99th percentile of request duration measured by the simulator.',
          unit: 's',
          queries: q(`histogram_quantile(0.99, sum by (le) (${rate('simulator_request_duration_seconds_bucket')}))`, 'client p99'),
          thresholds: higherIsWorse(0.5, 1),
          faultShading: true,
        }),
        timeseries({
          title: 'Galera cluster size',
          description: 'wsrep_cluster_size per node: drops when a node leaves, splits when the network is partitioned.',
          unit: 'none',
          queries: q('mysql_global_status_wsrep_cluster_size', '{{instance}}'),
          faultShading: true,
          min: 0,
        }),
        timeseries({
          title: 'HAProxy servers UP',
          description: 'HAProxy health-check verdict per Galera server (1 = UP).',
          unit: 'none',
          queries: q('haproxy_server_status{state="UP"}', '{{proxy}}/{{server}}'),
          faultShading: true,
          min: 0,
        }),
        timeseries({
          title: 'Server-side 5xx and 503 per second',
          description: 'Errors the shop answered: 503 is the intended answer when the database is unavailable, other 5xx are bugs.',
          unit: 'reqps',
          queries: [
            q(`sum(${rate('http_requests_total{status_code="503"}')}) or ${serverRate} * 0`, '503'),
            q(`sum(${rate('http_requests_total{status_code=~"5..", status_code!="503"}')}) or ${serverRate} * 0`, 'other 5xx'),
          ],
          faultShading: true,
          width: 24,
        }),
      ],
    },
    {
      title: 'Alerts and fault flags',
      panels: [
        timeseries({
          title: 'Alert notifications delivered',
          description: 'Notifications Alertmanager sent to the lab receiver, by alert and firing/resolved (console_alert_notifications_total). The alert drills judge from these.',
          unit: 'short',
          // a counter per alert appears with its first notification
          queries: q('sum by (alertname, status) (increase(console_alert_notifications_total[$__rate_interval]))', '{{alertname}} {{status}}', fault),
          width: 12,
        }),
        timeseries({
          title: 'Fault flag values',
          description: 'The shop\'s fault flags (smartshop_feature_flag_value), to read next to what the drill shows.',
          unit: 'none',
          queries: q('smartshop_feature_flag_value', '{{flag}}'),
          faultShading: true,
          width: 12,
        }),
      ],
    },
  ],
};
