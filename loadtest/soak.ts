// Soak: a moderate rate for a long time (default 1 h) to show leaks, pool exhaustion or
// slow drift that short runs hide (constant-arrival-rate). Watch it in Grafana with the
// Prometheus remote-write output (see docs/delivery.md).
//   k6 run -e RATE=3 -e DURATION=4h loadtest/soak.ts
import type { Options } from 'k6/options';
import { baseOptions, env, envNumber } from './lib/config.ts';
import { journey, requireReady } from './lib/journey.ts';

const rate = envNumber('RATE', 3);

export const options: Options = {
  ...baseOptions(),
  scenarios: {
    soak: {
      executor: 'constant-arrival-rate',
      rate,
      timeUnit: '1s',
      duration: env('DURATION', '1h'),
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
