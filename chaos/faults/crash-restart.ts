// SIGKILL, let it come back, again: `crashes` times (the shop, the workers), with fault flags
// set for the while (a delay that keeps messages in a worker's hands when it dies; compose
// only: a Swarm lab has no flags file).
import { setTimeout as sleep } from 'node:timers/promises';
import type { LabContainer, Target } from '../../lab/index.ts';
import { each, type Fault } from './fault.ts';
import { describeFlags, resetDrillFlags, setFlags, type DrillFlags } from './flags.ts';

export type CrashRestartSpec = { kind: 'crash-restart'; crashes: number; intervalMs: number; flags?: DrillFlags };

export const crashRestart: Fault<CrashRestartSpec> = {
  describe: (f, victims, runtime) =>
    `${flagsOn(f, runtime) ? `fault flags ${describeFlags(f.flags ?? {})}; ` : ''}${f.crashes} × (docker kill -s SIGKILL ${victims.join(', ')}, ${runtime === 'swarm' ? 'Swarm' : 'its restart policy or docker start'} brings it back, ${f.intervalMs / 1000} s of traffic)`,
  async inject(f, { target, victims, log }) {
    if (f.flags && !flagsOn(f, target.kind)) log(`no flags file on Swarm: ${describeFlags(f.flags)} not set; each task is killed with whatever messages it holds`);
    if (flagsOn(f, target.kind)) await setFlags(target, f.flags ?? {}, log);
    for (let i = 1; i <= f.crashes; i++) {
      for (const v of victims) {
        // the container running now: on Swarm a killed task is replaced by a new one
        const live = (await target.list(v.role)).find((c) => sameContainer(target, c, v) && c.state === 'running') ?? v;
        await target.kill(live, 'SIGKILL');
        log(`crash ${i}/${f.crashes}: killed ${live.name} (${live.containerName})`);
        await backUp(target, v, log);
      }
      await sleep(f.intervalMs);
    }
    return {
      rollback: async () => [...(await each(victims, (v) => backUp(target, v, log))), ...(flagsOn(f, target.kind) ? await resetDrillFlags(target, f.flags ?? {}, log) : [])],
    };
  },
};

/** A Swarm lab has no flags file (its services read none): the drill's flags apply on compose only. */
const flagsOn = (f: CrashRestartSpec, runtime: Target['kind']): boolean => f.flags !== undefined && runtime !== 'swarm';

/**
 * Waits (bounded) for a killed container to run again: Swarm restarts a task by itself; on
 * compose `docker kill` counts as a manual stop for the restart policy, so a container still
 * not running after 1.5 s is started, as an operator's supervisor would.
 */
async function backUp(target: Target, v: LabContainer, log: (line: string) => void): Promise<void> {
  const running = async (): Promise<boolean> => (await target.list(v.role)).some((c) => sameContainer(target, c, v) && c.state === 'running');
  for (let i = 0; i < 6; i++) {
    if (await running()) return;
    await sleep(250);
  }
  log(`${v.name} not back by itself: docker start`);
  await target.start(await target.find(target.kind === 'compose' ? v.containerName : v.name));
  for (let i = 0; i < 60; i++) {
    if (await running()) return;
    await sleep(500);
  }
  throw new Error(`${v.name} is not running 30 s after it was started again`);
}

/**
 * The same container across a kill: on compose the container itself (a service with replicas,
 * the workers, has several containers of one name); on Swarm the task of that name, since a
 * killed task is replaced by a new container.
 */
function sameContainer(target: Target, c: LabContainer, v: LabContainer): boolean {
  return target.kind === 'compose' ? c.containerName === v.containerName : c.name === v.name;
}
