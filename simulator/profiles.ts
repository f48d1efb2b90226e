// Load-test profiles as data: stages of arrival rate (a ramping arrival rate, in journeys
// per second) and the thresholds that gate them. `smartshop simulate --profile NAME` runs
// one; --rate scales every stage so the peak is that rate, --duration stretches or shrinks
// the stages to that total. The latency budgets are loose on purpose (a 2-core lab with
// three Galera nodes runs beside the load) and scaled per profile: a stressed shop may be
// slower, errors are gated the same everywhere.
import type { Stage } from './engine/arrivals.ts';

export interface LoadProfile {
  description: string;
  /** the rate at the start, before the first stage moves it */
  startRate: number;
  stages: Stage[];
  thresholds: string[];
}

/** Endpoints with a latency budget of their own: the writes a customer waits for, and the catalogue. */
const GATED_ENDPOINTS = ['POST /api/users/create', 'POST /api/orders/create', 'POST /api/payments/process/:orderId', 'GET /api/products'];

/** The thresholds every profile shares, latency budgets multiplied by `scale`. */
function defaultThresholds(scale = 1): string[] {
  const p95 = 500 * scale;
  return [
    `http_req_duration:p(95)<${p95}`,
    `http_req_duration:p(99)<${1500 * scale}`,
    'http_req_failed:rate<0.01',
    'journeys_completed:rate>0.95',
    ...GATED_ENDPOINTS.map((e) => `http_req_duration{endpoint:${e}}:p(95)<${p95 * 1.5}`),
  ];
}

const hold = (target: number, durationSeconds: number): Stage => ({ target, durationSeconds });

export const PROFILES = {
  smoke: {
    description: 'a few journeys at 1/s for 10 s: the deployed shop works end to end (latency budgets ×4: the first requests are cold)',
    startRate: 1,
    stages: [hold(1, 10)],
    thresholds: defaultThresholds(4),
  },
  load: {
    description: 'a steady 5 journeys/s for 2 minutes',
    startRate: 5,
    stages: [hold(5, 120)],
    thresholds: defaultThresholds(1),
  },
  stress: {
    description: 'steps of a minute up to 20 journeys/s, held, then down to 0: where do latency and errors break? (budgets ×2)',
    startRate: 1,
    stages: [hold(5, 60), hold(10, 60), hold(20, 60), hold(20, 60), hold(0, 60)],
    thresholds: defaultThresholds(2),
  },
  spike: {
    description: '2 journeys/s, a burst to 30 in 10 s held 30 s, back to 2: does the shop absorb it and recover? (budgets ×3)',
    startRate: 2,
    stages: [hold(2, 30), hold(30, 10), hold(30, 30), hold(2, 10), hold(2, 60)],
    thresholds: defaultThresholds(3),
  },
  soak: {
    description: '3 journeys/s for an hour: leaks, pool exhaustion or drift that short runs hide',
    startRate: 3,
    stages: [hold(3, 3600)],
    thresholds: defaultThresholds(1),
  },
} satisfies Record<string, LoadProfile>;

export type ProfileName = keyof typeof PROFILES;
export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

export function peakRate(p: Pick<LoadProfile, 'startRate' | 'stages'>): number {
  return Math.max(p.startRate, ...p.stages.map((s) => s.target));
}

export function totalSeconds(p: Pick<LoadProfile, 'stages'>): number {
  return p.stages.reduce((sum, s) => sum + s.durationSeconds, 0);
}

/** The profile with its peak at `rate` and its stages lasting `durationSeconds` in all (each optional). */
export function scaleProfile(p: LoadProfile, rate?: number, durationSeconds?: number): LoadProfile {
  const r = rate === undefined ? 1 : rate / peakRate(p);
  const d = durationSeconds === undefined ? 1 : durationSeconds / totalSeconds(p);
  return {
    ...p,
    startRate: p.startRate * r,
    stages: p.stages.map((s) => ({ target: s.target * r, durationSeconds: s.durationSeconds * d })),
  };
}
