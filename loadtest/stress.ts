// Stress: ramp the arrival rate up in steps past the expected capacity, hold, then back
// down, to find where latency and errors break the thresholds (ramping-arrival-rate).
//   k6 run -e PEAK_RATE=30 -e STEP=1m loadtest/stress.ts
import type { Options } from 'k6/options';
import { baseOptions, env, envNumber } from './lib/config.ts';
import { journey, requireReady } from './lib/journey.ts';

const peak = envNumber('PEAK_RATE', 20);
const step = env('STEP', '1m');

export const options: Options = {
  // a stressed shop may be slower: latency budgets x2, errors still gated
  ...baseOptions(2),
  scenarios: {
    stress: {
      executor: 'ramping-arrival-rate',
      startRate: 1,
      timeUnit: '1s',
      preAllocatedVUs: Math.max(4, peak),
      maxVUs: envNumber('MAX_VUS', peak * 10),
      stages: [
        { target: Math.ceil(peak / 4), duration: step },
        { target: Math.ceil(peak / 2), duration: step },
        { target: peak, duration: step },
        { target: peak, duration: step },
        { target: 0, duration: step },
      ],
    },
  },
};

export function setup(): void {
  requireReady();
}

export default function (): void {
  journey();
}
