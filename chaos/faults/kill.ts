// SIGKILL, then a start: a crash, with whatever was in memory lost.
import { each, type Fault } from './fault.ts';

export type KillSpec = { kind: 'kill' };

export const kill: Fault<KillSpec> = {
  describe: (_f, victims, runtime) => runtime === 'swarm'
    ? `docker kill -s SIGKILL ${victims.join(', ')}'s task; Swarm restarts it after its restart delay`
    : `docker kill -s SIGKILL ${victims.join(', ')}; later docker start`,
  async inject(_f, { target, victims }) {
    for (const v of victims) await target.kill(v, 'SIGKILL');
    return { rollback: () => each(victims, (v) => target.start(v)) };
  },
};
