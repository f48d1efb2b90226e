// HAProxy: backend and server state, sessions, queue, errors, retries and redispatches,
// health-check durations, from HAProxy's built-in Prometheus exporter (:8404/metrics).
// haproxy_*_status is a state set: one series per state label, 1 on the current state.
import { higherIsWorse, lowerIsWorse, q, rate, stat, stateMappings, stateTimeline, timeseries, upDownMappings } from './panels.ts';
import type { DashboardSpec } from './types.ts';

const proxy = 'proxy=~"$proxy"';
const upNotUp = stateMappings({ 0: ['not UP', 'red'], 1: ['UP', 'green'] });

export const haproxy: DashboardSpec = {
  uid: 'smartshop-haproxy',
  title: 'SmartShop / HAProxy',
  description: 'The MySQL load balancer in front of Galera: backend and server state, sessions, queue, errors, retries, checks.',
  file: 'haproxy.json',
  variables: [{ name: 'proxy', label: 'Backend', metric: 'haproxy_backend_status', labelName: 'proxy' }],
  rows: [
    {
      title: 'State',
      panels: [
        stat({
          title: 'HAProxy scraped',
          description: 'Whether Prometheus can scrape HAProxy (up{job="haproxy"}); DOWN means the load balancer itself is gone.',
          unit: 'none',
          queries: q('max(up{job="haproxy"})'),
          mappings: upDownMappings,
          thresholds: lowerIsWorse(0.5, 1),
        }),
        stat({
          title: 'Active servers UP',
          description: 'Active (non-backup) servers currently UP per backend.',
          unit: 'none',
          queries: q(`haproxy_backend_active_servers{${proxy}}`, '{{proxy}}'),
          thresholds: lowerIsWorse(1, 2),
        }),
        stat({
          title: 'Frontend connections',
          description: 'Connections HAProxy holds right now (haproxy_process_current_connections).',
          unit: 'short',
          queries: q('sum(haproxy_process_current_connections)'),
        }),
        stat({
          title: 'HAProxy uptime',
          description: 'Time since the HAProxy process started; a reset means it was restarted.',
          unit: 's',
          queries: q('time() - max(haproxy_process_start_time_seconds)'),
        }),
        stateTimeline({
          title: 'Backend status',
          description: 'Whether each backend is UP (at least one usable server).',
          unit: 'none',
          queries: q(`haproxy_backend_status{state="UP", ${proxy}}`, '{{proxy}}'),
          mappings: upNotUp,
        }),
        stateTimeline({
          title: 'Server status',
          description: 'Whether each server is UP; not UP covers DOWN (failed checks), MAINT, DRAIN and NOLB.',
          unit: 'none',
          queries: q(`haproxy_server_status{state="UP", ${proxy}}`, '{{proxy}}/{{server}}'),
          mappings: upNotUp,
        }),
      ],
    },
    {
      title: 'Traffic',
      panels: [
        timeseries({
          title: 'Current sessions per server',
          description: 'Sessions open to each Galera node: shows where HAProxy sends the shop and how it moves on failover.',
          unit: 'short',
          queries: q(`haproxy_server_current_sessions{${proxy}}`, '{{proxy}}/{{server}}'),
        }),
        timeseries({
          title: 'Backend queue',
          description: 'Connections waiting for a server slot; anything above zero adds latency.',
          unit: 'short',
          queries: q(`haproxy_backend_current_queue{${proxy}}`, '{{proxy}}'),
          thresholds: higherIsWorse(1, 10),
        }),
      ],
    },
    {
      title: 'Errors and checks',
      panels: [
        timeseries({
          title: 'Connection errors per server',
          description: 'Failed connection attempts to each server per second.',
          unit: 'ops',
          queries: q(rate(`haproxy_server_connection_errors_total{${proxy}}`), '{{proxy}}/{{server}}'),
          thresholds: higherIsWorse(0.1, 1),
          width: 8,
        }),
        timeseries({
          title: 'Retries and redispatches',
          description: 'Connection retries and redispatches to another server per second, per backend.',
          unit: 'ops',
          queries: [
            q(rate(`haproxy_backend_retry_warnings_total{${proxy}}`), 'retries {{proxy}}'),
            q(rate(`haproxy_backend_redispatch_warnings_total{${proxy}}`), 'redispatches {{proxy}}'),
          ],
          width: 8,
        }),
        timeseries({
          title: 'Health check duration',
          description: 'Duration of the last health check of each server; checks near the timeout precede a DOWN.',
          unit: 's',
          queries: q(`haproxy_server_check_duration_seconds{${proxy}}`, '{{proxy}}/{{server}}'),
          thresholds: higherIsWorse(0.5, 1),
          width: 8,
        }),
      ],
    },
  ],
};
