// Smoke: one customer, a few full journeys plus every read endpoint once. Proves the
// deployed shop works end to end; runs in CI after every deploy (about 10 s).
//   k6 run loadtest/smoke.ts            (BASE_URL=http://127.0.0.1:8000 by default)
import { check } from 'k6';
import type { Options } from 'k6/options';
import { baseOptions, envNumber } from './lib/config.ts';
import { bodyOf, get, journey, requireReady } from './lib/journey.ts';

export const options: Options = {
  // smoke gates correctness (checks, no failed request); its few first requests after a
  // deploy are cold, so latency budgets are 4x (load.ts gates latency)
  ...baseOptions(4),
  scenarios: {
    smoke: { executor: 'per-vu-iterations', vus: 1, iterations: envNumber('ITERATIONS', 5), maxDuration: '60s' },
  },
};

export function setup(): void {
  requireReady();
  const root = get('GET /', '/');
  check(root, { 'root: running, mysql connected': (r) => bodyOf(r)?.status === 'running' && bodyOf(r)?.mysql_status === 'connected' });
  check(get('GET /api/health', '/api/health'), { 'health: ok': (r) => bodyOf(r)?.status === 'ok' });
  check(get('GET /api/logs', '/api/logs?limit=5'), { 'logs: 200': (r) => r.status === 200 });
  check(get('GET /metrics', '/metrics'), { 'metrics: exposes http_requests_total': (r) => String(r.body).includes('http_requests_total') });
}

export default function (): void {
  journey();
}
