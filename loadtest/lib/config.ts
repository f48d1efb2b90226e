// Settings every k6 script shares, read from the environment (k6 -e NAME=value or real
// env vars): the target, the pass/fail thresholds, and the arrival-rate knobs.
import type { ConstantArrivalRateScenario, Options, Threshold } from 'k6/options';

export function env(name: string, fallback: string): string {
  const value = __ENV[name];
  return value === undefined || value === '' ? fallback : value;
}

export function envNumber(name: string, fallback: number): number {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name}=${raw} is not a number`);
  return value;
}

/** The shop's API root, without a trailing slash. */
export const BASE_URL = env('BASE_URL', 'http://127.0.0.1:8000').replace(/\/+$/, '');

/** Endpoints that get their own latency threshold (tag `endpoint`). */
export const gatedEndpoints = [
  'POST /api/users/create',
  'POST /api/orders/create',
  'POST /api/payments/process/:orderId',
  'GET /api/products',
] as const;

/**
 * Thresholds shared by every profile. A failed threshold makes k6 exit 99, which is what
 * gates the CI build. Latency budgets are loose by default (a 2-core lab with three Galera
 * nodes); P95_MS / P99_MS / MAX_FAILED_RATE tighten or relax them.
 */
export function thresholds(scale = 1): Record<string, Threshold[]> {
  const p95 = envNumber('P95_MS', 500) * scale;
  const p99 = envNumber('P99_MS', 1500) * scale;
  const failed = envNumber('MAX_FAILED_RATE', 0.01);
  const t: Record<string, Threshold[]> = {
    http_req_failed: [{ threshold: `rate<${failed}`, abortOnFail: false }],
    http_req_duration: [`p(95)<${p95}`, `p(99)<${p99}`],
    checks: ['rate>0.99'],
    journeys_completed: ['rate>0.95'],
  };
  for (const endpoint of gatedEndpoints) t[`http_req_duration{endpoint:${endpoint}}`] = [`p(95)<${p95 * 1.5}`];
  return t;
}

/** Options common to every script: thresholds, summary figures, a per-run tag. */
export function baseOptions(scale = 1): Options {
  return {
    thresholds: thresholds(scale),
    summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
    tags: { testid: env('TEST_ID', 'smartshop') },
  };
}

/**
 * A constant-arrival-rate scenario: RATE journeys per second for DURATION (defaults given
 * by the profile), with enough VUs that a slow shop shows up as latency, not as less load.
 */
export function constantArrival(defaultRate: number, defaultDuration: string): ConstantArrivalRateScenario {
  const rate = envNumber('RATE', defaultRate);
  return {
    executor: 'constant-arrival-rate',
    rate,
    timeUnit: '1s',
    duration: env('DURATION', defaultDuration),
    preAllocatedVUs: Math.max(2, rate * 2),
    maxVUs: envNumber('MAX_VUS', Math.max(10, rate * 10)),
  };
}
