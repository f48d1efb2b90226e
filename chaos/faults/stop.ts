// A clean stop (SIGTERM, then SIGKILL after the timeout), then a start: a planned restart.
import { each, type Fault } from './fault.ts';

export type StopSpec = { kind: 'stop'; stopTimeoutSeconds: number };

export const stop: Fault<StopSpec> = {
  describe: (f, victims, runtime) => runtime === 'swarm'
    ? `scale ${victims.join(', ')} to 0 replicas (its task stopped with -t ${f.stopTimeoutSeconds}); later scale back`
    : `docker stop -t ${f.stopTimeoutSeconds} ${victims.join(', ')}; later docker start`,
  async inject(f, { target, victims }) {
    for (const v of victims) await target.stop(v, f.stopTimeoutSeconds);
    return { rollback: () => each(victims, (v) => target.start(v)) };
  },
};
