// Simulator: the client's view (its own latency histogram and outcomes, :9464/metrics) beside
// the server's, so a gap between the two (timeouts, HAProxy queueing, retries) is visible.
import { higherIsWorse, q, rate, timeseries } from './panels.ts';
import type { DashboardSpec } from './types.ts';

const clientRate = `sum(${rate('simulator_requests_total')})`;
const serverRate = `sum(${rate('http_requests_total')})`;
const quantile = (p: number, bucket: string, by = 'le'): string => `histogram_quantile(${p}, sum by (${by}) (${rate(bucket)}))`;

export const simulatorDashboard: DashboardSpec = {
  uid: 'smartshop-simulator',
  title: 'SmartShop / Simulator',
  description: 'Traffic as the simulator experiences it, side by side with what the shop measured.',
  file: 'simulator.json',
  variables: [],
  rows: [
    {
      title: 'Client versus server',
      panels: [
        timeseries({
          title: 'Request rate: client vs server',
          description: 'Requests per second sent by the simulator and answered by the shop; the server also counts other clients.',
          unit: 'reqps',
          queries: [q(clientRate, 'client (simulator)'), q(serverRate, 'server (shop)')],
        }),
        timeseries({
          title: 'p99 latency: client vs server',
          description: 'The client p99 includes the network and any queueing in front of the app; the server p99 only the handler.',
          unit: 's',
          queries: [
            q(quantile(0.99, 'simulator_request_duration_seconds_bucket'), 'client p99'),
            q(quantile(0.99, 'http_request_duration_seconds_bucket'), 'server p99'),
          ],
          thresholds: higherIsWorse(0.5, 1),
        }),
        timeseries({
          title: 'Error ratio: client vs server',
          description: 'Client: 5xx, timeouts and connection errors over all requests. Server: 5xx over all responses.',
          unit: 'percentunit',
          queries: [
            q(`(sum(${rate('simulator_requests_total{outcome=~"5..|timeout|error"}')}) or ${clientRate} * 0) / ${clientRate}`, 'client'),
            q(`(sum(${rate('http_requests_total{status_code=~"5.."}')}) or ${serverRate} * 0) / ${serverRate}`, 'server'),
          ],
          thresholds: higherIsWorse(0.01, 0.05),
          min: 0,
        }),
        timeseries({
          title: 'Payments by outcome: client vs server',
          description: 'Payment outcomes seen by the simulator and recorded by the shop; both should sit near 80% success.',
          unit: 'ops',
          queries: [
            q(`sum by (outcome) (${rate('simulator_payments_total')})`, 'client {{outcome}}'),
            q(`sum by (outcome) (${rate('smartshop_payments_total')})`, 'server {{outcome}}'),
          ],
        }),
      ],
    },
    {
      title: 'Client detail',
      panels: [
        timeseries({
          title: 'Client requests by outcome',
          description: 'Simulator requests per second by outcome: HTTP status code, "timeout" or "error" (no response).',
          unit: 'reqps',
          queries: q(`sum by (outcome) (${rate('simulator_requests_total')})`, '{{outcome}}'),
          stacked: true,
        }),
        timeseries({
          title: 'Client latency p50 / p99 by endpoint',
          description: 'Request duration quantiles per endpoint as measured by the simulator.',
          unit: 's',
          queries: [
            q(quantile(0.5, 'simulator_request_duration_seconds_bucket', 'le, endpoint'), 'p50 {{endpoint}}'),
            q(quantile(0.99, 'simulator_request_duration_seconds_bucket', 'le, endpoint'), 'p99 {{endpoint}}'),
          ],
          thresholds: higherIsWorse(0.5, 1),
        }),
        timeseries({
          title: 'Journeys by result',
          description: 'User journeys (sign-up, browse, order, pay...) completed per minute by result.',
          unit: 'opm',
          queries: q(`sum by (result) (${rate('simulator_journeys_total')}) * 60`, '{{result}}'),
          width: 24,
        }),
      ],
    },
  ],
};
