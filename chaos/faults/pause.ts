// A hung node: every process but init SIGSTOPped, then SIGCONT. The kernel still accepts
// connections for it, which is what makes a hang worse than a crash.
import type { LabContainer, Target } from '../../lab/index.ts';
import { each, type Fault } from './fault.ts';
import { signalFromHost, stoppedFromHost } from './host-signals.ts';

export type PauseSpec = { kind: 'pause' };

/**
 * Freezes (or thaws) every process of a node but its init: from the Docker host when this
 * process may (host-signals.ts: no exec to race with the node's own), else from inside it.
 * Not `docker pause`: on cgroup v1 a docker exec starting as the freezer cgroup freezes (the
 * nodes' healthcheck execs every 3 s) gets stuck in `runc init`, holding the container's lock,
 * and the unpause then waits for ever; CI saw the whole engine stall on it until the freezer
 * cgroup was thawed by hand. A stopped process is frozen alike for its peers, HAProxy and
 * the shop.
 */
export async function freeze(target: Target, v: LabContainer, on: boolean): Promise<void> {
  if ((await signalFromHost(v.id, on ? 'SIGSTOP' : 'SIGCONT')) !== undefined) return;
  // kill(-1) in the container's PID namespace: every process but init and the caller
  const r = await target.exec(v, ['sh', '-c', `kill -s ${on ? 'STOP' : 'CONT'} -- -1`]);
  if (r.exitCode !== 0) throw new Error(`could not ${on ? 'freeze' : 'thaw'} ${v.name}'s processes: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
}

/** Whether a node has frozen (SIGSTOPped) processes: what a drill interrupted mid-fault leaves. */
export async function isFrozen(target: Target, v: LabContainer): Promise<boolean> {
  const stopped = await stoppedFromHost(v.id);
  if (stopped !== undefined) return stopped > 0;
  const r = await target.exec(v, ['sh', '-c', "ps -eo stat= | grep -c '^T' || true"]);
  return r.exitCode === 0 && Number(r.stdout.trim()) > 0;
}

export const pause: Fault<PauseSpec> = {
  describe: (_f, victims) => `SIGSTOP every process of ${victims.join(', ')} but its init (a hung node: the kernel still accepts connections); later SIGCONT`,
  async inject(_f, { target, victims }) {
    for (const v of victims) await freeze(target, v, true);
    return { rollback: () => each(victims, (v) => freeze(target, v, false)) };
  },
};
