// Soak: a moderate rate for a long time (default 1 h) to show leaks, pool exhaustion or
// slow drift that short runs hide (constant-arrival-rate). Watch it in Grafana with the
// Prometheus remote-write output (see docs/delivery.md).
//   k6 run -e RATE=3 -e DURATION=4h loadtest/soak.ts
import type { Options } from 'k6/options';
import { baseOptions, constantArrival } from './lib/config.ts';
import { journey, requireReady } from './lib/journey.ts';

export const options: Options = {
  ...baseOptions(),
  scenarios: { soak: constantArrival(3, '1h') },
};

export function setup(): void {
  requireReady();
}

export default function (): void {
  journey();
}
