// Spike: a quiet baseline, a sudden burst (10x in 10 s), then back: does the shop
// absorb it and recover? (ramping-arrival-rate)
//   k6 run -e BASE_RATE=2 -e SPIKE_RATE=30 loadtest/spike.ts
import type { Options } from 'k6/options';
import { baseOptions, env, envNumber } from './lib/config.ts';
import { journey, requireReady } from './lib/journey.ts';

const base = envNumber('BASE_RATE', 2);
const spike = envNumber('SPIKE_RATE', 30);

export const options: Options = {
  ...baseOptions(3),
  scenarios: {
    spike: {
      executor: 'ramping-arrival-rate',
      startRate: base,
      timeUnit: '1s',
      preAllocatedVUs: Math.max(4, spike),
      maxVUs: envNumber('MAX_VUS', spike * 10),
      stages: [
        { target: base, duration: env('WARM', '30s') },
        { target: spike, duration: '10s' },
        { target: spike, duration: env('HOLD', '30s') },
        { target: base, duration: '10s' },
        { target: base, duration: env('RECOVER', '1m') },
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
