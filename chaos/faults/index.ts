// The catalog of faults: every kind the runner can inject, one file each in this folder.
// Adding a fault is adding its file, a line here, and a drill that uses it
// (drills/catalog.ts); the runner and the phases never name a kind.
import type { LabContainer, Target } from '../../lab/index.ts';
import type { Fault, FaultContext, InjectedFault } from './fault.ts';
import { brokerDiskAlarm, type BrokerDiskAlarmSpec } from './broker-disk-alarm.ts';
import { crashRestart, type CrashRestartSpec } from './crash-restart.ts';
import { desync, type DesyncSpec } from './desync.ts';
import { disconnect, type DisconnectSpec } from './disconnect.ts';
import { diverge, type DivergeSpec } from './diverge.ts';
import { flags, type FlagsSpec } from './flags.ts';
import { isolate, type IsolateSpec } from './isolate.ts';
import { kill, type KillSpec } from './kill.ts';
import { killAll, type KillAllSpec } from './kill-all.ts';
import { netem, type NetemSpec } from './netem.ts';
import { pause, type PauseSpec } from './pause.ts';
import { restore, type RestoreSpec } from './restore.ts';
import { rollingRestartFault, type RollingRestartSpec } from './rolling-restart.ts';
import { staleBackup, type StaleBackupSpec } from './stale-backup.ts';
import { stop, type StopSpec } from './stop.ts';

export type { FaultContext, InjectedFault } from './fault.ts';
export { freeze, isFrozen } from './pause.ts';
export { removeDelay, showDelay } from './netem.ts';
export { diskFreeLimit, setDiskFreeLimit } from './broker-disk-alarm.ts';

/** A fault as a drill states it: its kind and its parameters (data, kept in the report). */
export type FaultSpec =
  | StopSpec | KillSpec | PauseSpec | DisconnectSpec | NetemSpec | KillAllSpec | CrashRestartSpec | FlagsSpec | RestoreSpec
  | DivergeSpec | DesyncSpec | IsolateSpec | StaleBackupSpec | BrokerDiskAlarmSpec | RollingRestartSpec;

const FAULTS: { [K in FaultSpec['kind']]: Fault<Extract<FaultSpec, { kind: K }>> } = {
  stop,
  kill,
  pause,
  disconnect,
  netem,
  'kill-all': killAll,
  'crash-restart': crashRestart,
  flags,
  restore,
  diverge,
  desync,
  isolate,
  'stale-backup': staleBackup,
  'broker-disk-alarm': brokerDiskAlarm,
  'rolling-restart': rollingRestartFault,
};

// The lookup by kind is the only dispatch: method parameters are bivariant, so each entry
// takes the union here, and the mapped type above keeps every kind paired with its own spec.
const faultOf = (spec: FaultSpec): Fault<FaultSpec> => FAULTS[spec.kind];

/** What inject() would do, without doing it (--dry-run), as the target's runtime does it. */
export function describeFault(spec: FaultSpec, victims: string[], runtime: Target['kind'] = 'compose'): string {
  return faultOf(spec).describe(spec, victims, runtime);
}

/** Why the fault cannot run on this lab, before anything is touched; undefined = it can. */
export async function faultRefusal(spec: FaultSpec, target: Target, victims: LabContainer[], log: (line: string) => void): Promise<string | undefined> {
  return faultOf(spec).preflight?.(spec, target, victims, log);
}

export async function injectFault(spec: FaultSpec, ctx: FaultContext): Promise<InjectedFault> {
  const injected = await faultOf(spec).inject(spec, ctx);
  return { description: describeFault(spec, ctx.victims.map((v) => v.name), ctx.target.kind), ...injected };
}
