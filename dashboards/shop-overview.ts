// Shop overview: RED per route (from the recording rules), in-flight requests, business KPIs,
// injected errors, the database as the app sees it, and the Node.js process.
import { higherIsWorse, lowerIsWorse, q, rate, stat, timeseries } from './panels.ts';
import type { DashboardSpec } from './types.ts';

const app = 'instance=~"$instance"';

export const shopOverview: DashboardSpec = {
  uid: 'smartshop-overview',
  title: 'SmartShop / Shop overview',
  description: 'Requests, errors and latency per route, business KPIs and the database seen from the shop app.',
  file: 'shop-overview.json',
  variables: [{ name: 'instance', label: 'App instance', metric: 'http_requests_total', labelName: 'instance' }],
  annotations: [
    {
      name: 'Fault flag changes',
      // only when a flag changes: no series in a quiet lab
      expr: 'changes(smartshop_feature_flag_value[1m]) > 0',
      titleFormat: 'fault flag {{flag}} changed',
      tagKeys: 'flag',
      color: 'orange',
      faultOnly: true,
    },
  ],
  rows: [
    {
      title: 'Service level (SLO: 99% of requests non-5xx over 30 days)',
      panels: [
        stat({
          title: 'Availability, last hour',
          description: 'Share of requests answered without a 5xx over the last hour (injected-error routes /api/errors/* and /metrics scrapes excluded). The SLO is 99%.',
          unit: 'percentunit',
          queries: q('1 - smartshop:sli_error_ratio:rate1h'),
          thresholds: lowerIsWorse(0.99, 0.999),
        }),
        stat({
          title: 'Error budget burn rate, last hour',
          description: 'How fast the 1% error budget is spent: 1 means exactly on budget over 30 days; 14.4 over an hour pages.',
          unit: 'none',
          queries: q('smartshop:sli_error_ratio:rate1h / 0.01'),
          thresholds: higherIsWorse(1, 6),
        }),
        stat({
          title: 'p99 latency, last 5 minutes',
          description: '99th percentile of server-side request duration over all routes except /api/errors/* and /metrics.',
          unit: 's',
          queries: q('smartshop:sli_latency_seconds:p99_rate5m'),
          thresholds: higherIsWorse(0.5, 1),
        }),
        stat({
          title: 'Requests in flight',
          description: 'Requests the app is serving right now; a climb means requests are waiting on the database.',
          unit: 'short',
          queries: q(`sum(http_requests_in_flight{${app}})`),
          thresholds: higherIsWorse(20, 50),
        }),
      ],
    },
    {
      title: 'RED per route',
      panels: [
        timeseries({
          title: 'Request rate by route',
          description: 'Requests per second per route template (recording rule smartshop:http_requests:rate5m).',
          unit: 'reqps',
          queries: q('smartshop:http_requests:rate5m', '{{route}}'),
        }),
        timeseries({
          title: '5xx error ratio by route',
          description: 'Share of requests answered with a 5xx per route (smartshop:http_error_ratio:rate5m). /api/errors/* fail on purpose.',
          unit: 'percentunit',
          queries: q('smartshop:http_error_ratio:rate5m', '{{route}}'),
          thresholds: higherIsWorse(0.01, 0.05),
          min: 0,
        }),
        timeseries({
          title: 'Latency p50 / p95 / p99 by route',
          description: 'Server-side request duration quantiles per route, from the histogram recording rules.',
          unit: 's',
          queries: [
            q('smartshop:http_request_duration_seconds:p50_rate5m', 'p50 {{route}}'),
            q('smartshop:http_request_duration_seconds:p95_rate5m', 'p95 {{route}}'),
            q('smartshop:http_request_duration_seconds:p99_rate5m', 'p99 {{route}}'),
          ],
          thresholds: higherIsWorse(0.5, 1),
          width: 24,
        }),
        timeseries({
          title: 'Responses by status code',
          description: 'Responses per second by HTTP status code, all routes.',
          unit: 'reqps',
          queries: q(`sum by (status_code) (${rate(`http_requests_total{${app}}`)})`, '{{status_code}}'),
          stacked: true,
        }),
        timeseries({
          title: 'Requests in flight',
          description: 'Concurrent requests being served by each app instance.',
          unit: 'short',
          queries: q(`http_requests_in_flight{${app}}`, '{{instance}}'),
        }),
      ],
    },
    {
      // the edge's own exporter (docs/edge.md): a refused request never reaches the shop, so
      // the shop's metrics above cannot show it
      title: 'The edge (per-client rate limits)',
      panels: [
        timeseries({
          title: 'Requests refused at the edge, by route group',
          description: 'Requests per second answered 429 by a client\'s rate limit at the edge, per route group (edge/limits.map). They never reached the shop. EdgeRateLimitingHigh warns when they are over 20% of what the edge is sent.',
          unit: 'reqps',
          queries: q(`sum by (proxy) (${rate('haproxy_backend_http_requests_total{job="edge", proxy=~"limited_.+"}')})`, '{{proxy}}'),
          stacked: true,
        }),
        timeseries({
          title: 'Requests to the edge',
          description: 'Everything the edge is sent per second: what it forwards to the shop and what it refuses.',
          unit: 'reqps',
          queries: q(`sum(${rate('haproxy_frontend_http_requests_total{job="edge", proxy="shop"}')})`, 'all'),
        }),
      ],
    },
    {
      title: 'Business',
      panels: [
        timeseries({
          title: 'Order transitions per minute by new status',
          description: 'Orders reaching each status per minute (pending = created; paid / failed = payment outcome; cancelled).',
          unit: 'opm',
          queries: q(`sum by (to) (${rate('smartshop_order_transitions_total')}) * 60`, '{{to}}'),
        }),
        timeseries({
          title: 'Payment success ratio',
          description: 'Share of payments that succeed. The shop is configured for 80% (PAYMENT_SUCCESS_RATIO), drawn as the dashed line.',
          unit: 'percentunit',
          queries: q('1 - smartshop:payment_failure_ratio:rate5m', 'success ratio'),
          thresholds: [
            { value: null, color: 'red' },
            { value: 0.65, color: 'orange' },
            { value: 0.8, color: 'green' },
          ],
          showThresholds: true,
          min: 0,
          max: 1,
        }),
        timeseries({
          title: 'Revenue per minute',
          description: 'Euros of successful payments per minute.',
          unit: 'currencyEUR',
          queries: q(`sum(${rate('smartshop_revenue_euros_total')}) * 60`, 'revenue / min'),
          width: 8,
        }),
        timeseries({
          title: 'Users created, logins and logouts per minute',
          description: 'Account activity per minute.',
          unit: 'opm',
          queries: [
            q(`sum(${rate('smartshop_users_created_total')}) * 60`, 'users created'),
            q(`sum(${rate('smartshop_logins_total')}) * 60`, 'logins'),
            q(`sum(${rate('smartshop_logouts_total')}) * 60`, 'logouts'),
          ],
          width: 8,
        }),
        timeseries({
          title: 'Injected errors by kind',
          description: 'Errors produced on purpose (error injection routes), per second, so they are not mistaken for real failures.',
          unit: 'ops',
          queries: q(`sum by (kind) (${rate('smartshop_injected_errors_total')})`, '{{kind}}'),
          width: 8,
        }),
      ],
    },
    {
      title: 'Database seen from the app',
      panels: [
        timeseries({
          title: 'Connection pool by state',
          description: 'mysql2 pool connections (total, idle, in use) and requests queued for a connection.',
          unit: 'short',
          queries: q(`sum by (state) (smartshop_db_pool_connections{${app}})`, '{{state}}'),
        }),
        timeseries({
          title: 'Database operation p99 by operation',
          description: '99th percentile duration of database operations, retries included.',
          unit: 's',
          queries: q(`histogram_quantile(0.99, sum by (le, operation) (${rate('smartshop_db_query_duration_seconds_bucket')}))`, '{{operation}}'),
          thresholds: higherIsWorse(0.25, 1),
        }),
        timeseries({
          title: 'Operations by Galera backend',
          description: 'Which database node (@@hostname) served the operations: shows HAProxy failover.',
          unit: 'ops',
          queries: q(`sum by (backend) (${rate('smartshop_db_backend_queries_total')})`, '{{backend}}'),
          width: 8,
        }),
        timeseries({
          title: 'Database errors by code',
          description: 'Errors from the database by code (1213 certification conflict, 1047 non-Primary, connection errors). Only present once an error happened.',
          unit: 'ops',
          queries: q(`sum by (code) (${rate('smartshop_db_errors_total')})`, '{{code}}', { faultOnly: true }),
          width: 8,
        }),
        timeseries({
          title: 'Retries by operation',
          description: 'Database operations retried after a transient error (deadlock, certification failure, lost connection).',
          unit: 'ops',
          queries: q(`sum by (operation) (${rate('smartshop_db_retries_total')})`, '{{operation}}', { faultOnly: true }),
          width: 8,
        }),
      ],
    },
    {
      title: 'Node.js process',
      panels: [
        timeseries({
          title: 'Event loop lag p99',
          description: 'How late the event loop runs; above 100 ms every request waits.',
          unit: 's',
          queries: q(`nodejs_eventloop_lag_p99_seconds{${app}}`, '{{instance}}'),
          thresholds: higherIsWorse(0.05, 0.1),
          width: 8,
        }),
        timeseries({
          title: 'Heap used',
          description: 'V8 heap in use.',
          unit: 'bytes',
          queries: q(`nodejs_heap_size_used_bytes{${app}}`, '{{instance}}'),
          width: 8,
        }),
        timeseries({
          title: 'CPU used',
          description: 'CPU seconds per second used by the app process (1 = one full core).',
          unit: 'percentunit',
          queries: q(rate(`process_cpu_seconds_total{${app}}`), '{{instance}}'),
          thresholds: higherIsWorse(0.7, 0.9),
          width: 8,
        }),
      ],
    },
    {
      title: 'Fault flags (smartshop flags, the lab page)',
      panels: [
        timeseries({
          title: 'Fault flag values',
          description: 'Each fault flag as the shop evaluates it (smartshop_feature_flag_value): booleans 0/1, slowResponses its largest delay in ms, loadGeneratorFlood 1 when off. Changes are marked as annotations.',
          unit: 'none',
          queries: q(`smartshop_feature_flag_value{${app}}`, '{{flag}}'),
          width: 12,
        }),
        timeseries({
          title: 'Resources held by faults',
          description: 'Memory kept by memoryLeak and pool connections held by dbPoolStarvation; 0 when those flags are off.',
          unit: 'short',
          queries: [q(`smartshop_fault_leaked_bytes{${app}} / 1024 / 1024`, 'leaked MB {{instance}}'), q(`smartshop_fault_held_connections{${app}}`, 'held connections {{instance}}')],
          width: 12,
        }),
      ],
    },
  ],
};
