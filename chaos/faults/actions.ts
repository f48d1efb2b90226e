// The actions behind each fault kind: inject, and the rollback that undoes it. The
// runner calls inject() once and rollback() exactly once (also on Ctrl-C or an error).
import { setTimeout as sleep } from 'node:timers/promises';
import type { NodeSql } from '../../lab/index.ts';
import { safeBootstrap, type SafeBootstrapResult } from '../galera/safe-bootstrap.ts';
import type { LabContainer, Target } from '../../lab/index.ts';
import type { DrillFlags, FaultSpec } from '../types.ts';
import { resetFlags, setFlag } from '../../shared/feature-flags/flag-file.ts';
import type { FlagName, FlagValue } from '../../shared/feature-flags/catalog.ts';
import { addDelay, removeDelay } from './netem.ts';
import { deadLetterTool, flagsFile, netToolsImage } from '../../lab/index.ts';
import type { LedgerExport } from '../../simulator/index.ts';
import { describeRestore, injectRestore, type RestoreRecord } from './restore.ts';

export interface FaultContext {
  target: Target;
  sql: NodeSql;
  victims: LabContainer[];
  log: (line: string) => void;
  /** the traffic's ledger now (the restore drills snapshot it at the disaster) */
  ledgerNow?: () => LedgerExport;
  /** a wait that Ctrl-C cuts short */
  pause?: (ms: number) => Promise<void>;
}

export interface InjectedFault {
  /** what was done, for the plan and the report */
  description: string;
  /** undoes the fault; returns what could not be restored (empty = all restored) */
  rollback: () => Promise<string[]>;
  /** the safe bootstrap's findings (full outage), for the report */
  bootstrap?: () => SafeBootstrapResult | undefined;
  /** the restore drills: the backup, the disaster and the ledger at it, for the judgement */
  restore?: () => RestoreRecord | undefined;
}

/** What inject() would do, without doing it (--dry-run), as the target's runtime does it. */
export function describeFault(fault: FaultSpec, victims: string[], runtime: Target['kind'] = 'compose'): string {
  const who = victims.join(', ');
  const swarm = runtime === 'swarm';
  switch (fault.kind) {
    case 'stop':
      return swarm
        ? `scale ${who} to 0 replicas (its task stopped with -t ${fault.stopTimeoutSeconds}); later scale back`
        : `docker stop -t ${fault.stopTimeoutSeconds} ${who}; later docker start`;
    case 'kill':
      return swarm ? `docker kill -s SIGKILL ${who}'s task; Swarm restarts it after its restart delay` : `docker kill -s SIGKILL ${who}; later docker start`;
    case 'pause':
      return `SIGSTOP every process of ${who} but its init (a hung node: the kernel still accepts connections); later SIGCONT`;
    case 'disconnect':
      return swarm
        ? `ip link set down ${who}'s ${fault.network} interface in its network namespace (helper container, NET_ADMIN; a Swarm task keeps its DNS name); later up`
        : `docker network disconnect ${fault.network} ${who}; later reconnect with the service alias`;
    case 'netem':
      return `tc qdisc replace … netem delay ${fault.delayMs}ms ${fault.jitterMs}ms in ${who}'s network namespace (helper container, NET_ADMIN); later tc qdisc del`;
    case 'flags':
      return `fault flags ${describeFlags(fault.flags)} for the hold; then reset${fault.replayDeadLetters ? ', and the dead-letter queue replayed into the fulfilment queue' : ''}`;
    case 'crash-restart':
      return `${fault.flags ? `fault flags ${describeFlags(fault.flags)}; ` : ''}${fault.crashes} × (docker kill -s SIGKILL ${who}, ${swarm ? 'Swarm' : 'its restart policy or docker start'} brings it back, ${fault.intervalMs / 1000} s of traffic)`;
    case 'kill-all': {
      const kills = `SIGKILL ${who} ${fault.spacingMs > 0 ? `${fault.spacingMs} ms apart` : 'at once (within 1 s)'}`;
      return swarm
        ? `${kills}; Swarm restarts every task, each entrypoint recovers its position (--wsrep-recover) and the most advanced node bootstraps when all are waiting (galera-decide.sh); nodes still down after the hold get the safe bootstrap. Volumes are never deleted.`
        : `${kills}; later read grastate.dat / --wsrep-recover on each volume, set safe_to_bootstrap: 1 on the most advanced node only, start it, then the others. Volumes are never deleted.`;
    }
    case 'restore':
      return describeRestore(fault);
  }
}

/**
 * Freezes (or thaws) every process of a node but its init, from inside it. Not `docker
 * pause`: on cgroup v1 a docker exec starting as the freezer cgroup freezes (the nodes'
 * healthcheck execs every 3 s) gets stuck in `runc init`, holding the container's lock, and
 * the unpause then waits for ever; CI saw the whole engine stall on it until the freezer
 * cgroup was thawed by hand. A stopped process is frozen alike for its peers, HAProxy and
 * the shop, while execs (the rollback, the observer, healthchecks) still run.
 */
export async function freeze(target: Target, v: LabContainer, on: boolean): Promise<void> {
  // kill(-1) in the container's PID namespace: every process but init and the caller
  const r = await target.exec(v, ['sh', '-c', `kill -s ${on ? 'STOP' : 'CONT'} -- -1`]);
  if (r.exitCode !== 0) throw new Error(`could not ${on ? 'freeze' : 'thaw'} ${v.name}'s processes: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
}

/** Whether a node has frozen (SIGSTOPped) processes: what a drill interrupted mid-fault leaves. */
export async function isFrozen(target: Target, v: LabContainer): Promise<boolean> {
  const r = await target.exec(v, ['sh', '-c', "ps -eo stat= | grep -c '^T' || true"]);
  return r.exitCode === 0 && Number(r.stdout.trim()) > 0;
}

async function each(victims: LabContainer[], f: (v: LabContainer) => Promise<void>): Promise<string[]> {
  const problems: string[] = [];
  for (const v of victims) {
    try {
      await f(v);
    } catch (err) {
      problems.push(`${v.name}: ${(err as Error).message}`);
    }
  }
  return problems;
}

export async function injectFault(fault: FaultSpec, ctx: FaultContext): Promise<InjectedFault> {
  const { target, victims, log } = ctx;
  const description = describeFault(fault, victims.map((v) => v.name), target.kind);
  switch (fault.kind) {
    case 'stop': {
      for (const v of victims) await target.stop(v, fault.stopTimeoutSeconds);
      return { description, rollback: () => each(victims, (v) => target.start(v)) };
    }
    case 'kill': {
      for (const v of victims) await target.kill(v, 'SIGKILL');
      return { description, rollback: () => each(victims, (v) => target.start(v)) };
    }
    case 'pause': {
      for (const v of victims) await freeze(target, v, true);
      return { description, rollback: () => each(victims, (v) => freeze(target, v, false)) };
    }
    case 'disconnect': {
      const done: LabContainer[] = [];
      try {
        for (const v of victims) {
          await target.disconnect(v, fault.network);
          done.push(v);
        }
      } catch (err) {
        await each(done, (v) => target.connect(v, fault.network)); // undo the half-done fault before failing
        throw err;
      }
      return { description, rollback: () => each(victims, (v) => target.connect(v, fault.network)) };
    }
    case 'netem': {
      const image = await netToolsImage(target, victims[0] as LabContainer, log);
      for (const v of victims) await addDelay(target, image, v, fault.delayMs, fault.jitterMs);
      return { description, rollback: () => each(victims, (v) => removeDelay(target, image, v)) };
    }
    case 'flags': {
      await setFlags(target, fault.flags, log);
      return {
        description,
        rollback: async () => {
          const problems = await resetDrillFlags(target, fault.flags, log);
          if (fault.replayDeadLetters) problems.push(...(await replayDeadLetters(target, log)));
          return problems;
        },
      };
    }
    case 'crash-restart': {
      if (fault.flags) await setFlags(target, fault.flags, log);
      for (let i = 1; i <= fault.crashes; i++) {
        for (const v of victims) {
          // the container running now: on Swarm a killed task is replaced by a new one
          const live = (await target.list(v.role)).find((c) => sameContainer(target, c, v) && c.state === 'running') ?? v;
          await target.kill(live, 'SIGKILL');
          log(`crash ${i}/${fault.crashes}: killed ${live.name} (${live.containerName})`);
          await backUp(target, v, log);
        }
        await sleep(fault.intervalMs);
      }
      return {
        description,
        rollback: async () => [...(await each(victims, (v) => backUp(target, v, log))), ...(fault.flags ? await resetDrillFlags(target, fault.flags, log) : [])],
      };
    }
    case 'restore': {
      const ledgerNow = ctx.ledgerNow ?? ((): never => { throw new Error("the restore drills need the traffic's ledger"); });
      const r = await injectRestore(fault, { target, database: ctx.sql.database, log, ledgerNow, pause: ctx.pause ?? ((ms) => sleep(ms)) });
      return { description, rollback: r.rollback, restore: r.record };
    }
    case 'kill-all': {
      if (fault.spacingMs > 0) {
        for (const [i, v] of victims.entries()) {
          if (i > 0) await sleep(fault.spacingMs);
          await target.kill(v, 'SIGKILL');
          log(`killed ${v.name}`);
        }
      } else {
        await Promise.all(victims.map((v) => target.kill(v, 'SIGKILL'))); // a burst: all within the same instant
        log(`killed ${victims.map((v) => v.name).join(', ')} at once`);
      }
      let result: SafeBootstrapResult | undefined;
      return {
        description,
        bootstrap: () => result,
        rollback: async () => {
          try {
            result = await safeBootstrap(target, ctx.sql, log);
            return result.problems;
          } catch (err) {
            return [`safe bootstrap failed: ${(err as Error).message}`];
          }
        },
      };
    }
  }
}

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

function describeFlags(flags: DrillFlags): string {
  return Object.entries(flags).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
}

/** The drill's flags, written to the lab's flags file (the shop and the workers watch it). */
async function setFlags(target: Target, flags: DrillFlags, log: (line: string) => void): Promise<void> {
  const file = flagsFile(target.project);
  for (const [name, value] of Object.entries(flags) as [FlagName, FlagValue][]) await setFlag(file, name, value);
  log(`fault flags set: ${describeFlags(flags)}`);
  // the shop and the workers poll the file every 500 ms
  await sleep(1_500);
}

async function resetDrillFlags(target: Target, flags: DrillFlags, log: (line: string) => void): Promise<string[]> {
  try {
    await resetFlags(flagsFile(target.project), Object.keys(flags) as FlagName[]);
    log(`fault flags reset: ${Object.keys(flags).join(', ')}`);
    await sleep(1_500);
    return [];
  } catch (err) {
    return [`fault flags ${Object.keys(flags).join(', ')} not reset: ${(err as Error).message} (\`smartshop flags reset\`)`];
  }
}

/** Every dead-lettered message back into the fulfilment queue, once the flags that poisoned them are off. */
async function replayDeadLetters(target: Target, log: (line: string) => void): Promise<string[]> {
  try {
    // dead-lettering is asynchronous (the queue's leader sends them on): a few rounds until empty
    for (let round = 1; round <= 5; round++) {
      const r = await deadLetterTool(target, 'replay');
      const n = Number(r.replayed ?? 0);
      log(`dead-letter queue, round ${round}: ${n} message(s) replayed into the fulfilment queue`);
      if (n === 0 && round > 1) break;
      await sleep(2_000);
    }
    return [];
  } catch (err) {
    return [`dead-letter queue not replayed: ${(err as Error).message} (\`smartshop queue dlq replay\`)`];
  }
}
