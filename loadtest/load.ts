// Load: a steady arrival rate of journeys (constant-arrival-rate: new journeys start on
// schedule whatever the latency, so a slow shop shows up as latency, not as less load).
//   k6 run -e RATE=5 -e DURATION=2m loadtest/load.ts
import type { Options } from 'k6/options';
import { baseOptions, env, envNumber } from './lib/config.ts';
import { journey, requireReady } from './lib/journey.ts';

const rate = envNumber('RATE', 5);

export const options: Options = {
  ...baseOptions(),
  scenarios: {
    load: {
      executor: 'constant-arrival-rate',
      rate,
      timeUnit: '1s',
      duration: env('DURATION', '2m'),
      preAllocatedVUs: Math.max(2, rate * 2),
      maxVUs: envNumber('MAX_VUS', Math.max(10, rate * 10)),
    },
  },
};

export function setup(): void {
  requireReady();
}

export default function (): void {
  journey();
}
