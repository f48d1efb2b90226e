// What every fault is: a kind of breakage the runner can describe, check beforehand, inject
// and roll back. One file per kind in this folder (as lab/targets/ has one per target),
// listed in index.ts; the runner knows no kind by name. The runner calls inject() once and
// the rollback it returns exactly once (also on Ctrl-C or an error).
import type { LabContainer, NodeSql, Target } from '../../lab/index.ts';
import type { LedgerExport } from '../../simulator/index.ts';
import type { SafeBootstrapResult } from '../galera/safe-bootstrap.ts';
import type { RestoreRecord } from './restore.ts';

export interface FaultContext {
  target: Target;
  sql: NodeSql;
  victims: LabContainer[];
  log: (line: string) => void;
  /** the traffic's ledger now (the restore drills snapshot it at the disaster) */
  ledgerNow: () => LedgerExport;
  /** a wait that Ctrl-C cuts short */
  pause: (ms: number) => Promise<void>;
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

/** A fault of one kind; `S` is its data in a drill (`{ kind, ...parameters }`). */
export interface Fault<S extends { kind: string }> {
  /** what inject() would do, without doing it (plan, --dry-run, report), as the target's runtime does it */
  describe(spec: S, victims: string[], runtime: Target['kind']): string;
  /** why this fault cannot run here (a missing kernel module, the wrong runtime); undefined = it can */
  preflight?(spec: S, target: Target, victims: LabContainer[], log: (line: string) => void): Promise<string | undefined>;
  /** injects the fault; index.ts adds the description */
  inject(spec: S, ctx: FaultContext): Promise<Omit<InjectedFault, 'description'>>;
}

/** Runs f on every victim, collecting what failed instead of stopping at the first. */
export async function each(victims: LabContainer[], f: (v: LabContainer) => Promise<void>): Promise<string[]> {
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
