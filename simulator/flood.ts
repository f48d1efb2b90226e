// The loadGeneratorFlood fault flag, read by the simulator (it runs on the host, beside the
// lab's flags file): a multiplier on its arrival rate, re-read every second, so a flood can
// be started and stopped under a running simulation. A missing or refused file means 1.
import { readFlagFile } from '../shared/feature-flags/flag-file.ts';

export interface Flood {
  /** the multiplier now (1 = no flood) */
  multiplier(): number;
  stop(): void;
}

export function watchFlood(file: string, everyMs = 1_000): Flood {
  let current = 1;
  const read = (): void => {
    readFlagFile(file).then((v) => { current = v.loadGeneratorFlood; }, () => undefined);
  };
  read();
  const timer = setInterval(read, everyMs);
  timer.unref();
  return { multiplier: () => current, stop: () => clearInterval(timer) };
}
