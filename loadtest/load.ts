// Load: a steady arrival rate of journeys (constant-arrival-rate: new journeys start on
// schedule whatever the latency, so a slow shop shows up as latency, not as less load).
//   k6 run -e RATE=5 -e DURATION=2m loadtest/load.ts
import type { Options } from 'k6/options';
import { baseOptions, constantArrival } from './lib/config.ts';
import { journey, requireReady } from './lib/journey.ts';

export const options: Options = {
  ...baseOptions(),
  scenarios: { load: constantArrival(5, '2m') },
};

export function setup(): void {
  requireReady();
}

export default function (): void {
  journey();
}
