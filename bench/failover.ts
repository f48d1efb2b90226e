// Section 6's reading of chaos drill reports (chaos/report/write.ts DrillReport), pure: the
// failover timings of one report, and their medians over several reports of one drill.
// A report is read defensively: an older or half-written report gives what it has.
import { countClientErrors, isClientError } from '../chaos/index.ts';
import { median } from './stats.ts';

export const FAILOVER_DRILLS = ['galera-node-stop', 'galera-node-kill', 'galera-node-pause', 'galera-partition'] as const;

export interface FailoverFigures {
  drill: string;
  file: string;
  startedAt: string;
  verdict: string;
  faultSeconds: number | undefined;
  /** seconds from fault start */
  toFirstClientError: number | undefined;
  toHaproxyDown: number | undefined;
  /**
   * The first success a client got after its first error, from the fault: 0 when no client
   * saw an error (service never interrupted); undefined in reports older than that event.
   */
  toFirstSuccess: number | undefined;
  toRollback: number | undefined;
  toHaproxyUp: number | undefined;
  toSteadyState: number | undefined;
  /** rollback start → steady state */
  rollbackToSteadyState: number | undefined;
  /** 5xx, timeouts and connection errors from fault start until steady state */
  clientErrors: number;
  clientErrorsByKind: Record<string, number>;
  writesLost: number | undefined;
  /** the drill traffic's requests in flight during the fault: p99 and the longest, ms (reports since the client budgets) */
  clientP99Ms: number | undefined;
  clientLongestMs: number | undefined;
}

/** A report's JSON read defensively (also by broker-faults.ts): an object, a finite number, a string, or undefined. */
export type Rec = Record<string, unknown>;

export const rec = (v: unknown): Rec | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : undefined);
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The figures of one report, or undefined when it is not a drill report of one of `drills`. */
export function failoverFigures(report: unknown, file: string, drills: readonly string[] = FAILOVER_DRILLS): FailoverFigures | undefined {
  const r = rec(report);
  const drill = str(r?.drill);
  if (r === undefined || drill === undefined || !drills.includes(drill)) return undefined;
  const timeline = rec(r.timeline);
  const events = Array.isArray(timeline?.events) ? timeline.events.map(rec).filter((e): e is Rec => e !== undefined) : [];
  const faultStart = num(timeline?.faultStart);
  // offsetSeconds is relative to the fault start when there is one
  const offset = (kind: string): number | undefined => {
    if (faultStart === undefined) return undefined;
    const e = events.find((x) => x.kind === kind);
    const at = num(e?.at);
    if (at !== undefined) return at < faultStart ? undefined : Math.round((at - faultStart) / 100) / 10;
    return num(e?.offsetSeconds);
  };
  const byKind: Record<string, number> = {};
  for (const [k, v] of Object.entries(rec(r.clientErrorsDuringFault) ?? {})) {
    if (typeof v === 'number' && isClientError(k)) byKind[k] = v;
  }
  const clientErrors = countClientErrors(byKind);
  return {
    drill,
    file,
    startedAt: str(r.startedAt) ?? '',
    verdict: str(rec(r.verdict)?.verdict) ?? 'unknown',
    faultSeconds: num(rec(r.options)?.faultSeconds),
    toFirstClientError: num(timeline?.secondsToFirstClientError),
    toHaproxyDown: num(timeline?.secondsToDetection) ?? offset('haproxy-marked-down'),
    toFirstSuccess: clientErrors === 0 && faultStart !== undefined ? 0 : (num(timeline?.secondsToFirstSuccess) ?? offset('first-success-after-error')),
    toRollback: offset('rollback-start'),
    toHaproxyUp: offset('haproxy-marked-up'),
    toSteadyState: num(timeline?.secondsOfImpact) ?? offset('steady-state-back'),
    rollbackToSteadyState: num(timeline?.secondsToRecover),
    clientErrors,
    clientErrorsByKind: byKind,
    writesLost: num(rec(r.writes)?.lost),
    clientP99Ms: num(rec(r.clients)?.p99Ms),
    clientLongestMs: num(rec(r.clients)?.longestMs),
  };
}

/** Newest first (by startedAt, then file name). */
export function newestFirst<T extends FailoverFigures>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.file.localeCompare(a.file));
}

export interface FailoverMedians {
  reports: number;
  toHaproxyDown: number;
  toSteadyState: number;
  clientErrors: number;
}

/** Medians over several reports of one drill (missing figures are left out). */
export function failoverMedians(list: readonly FailoverFigures[]): FailoverMedians {
  const m = (pick: (f: FailoverFigures) => number | undefined): number =>
    median(list.map(pick).filter((v): v is number => v !== undefined));
  return { reports: list.length, toHaproxyDown: m((f) => f.toHaproxyDown), toSteadyState: m((f) => f.toSteadyState), clientErrors: m((f) => f.clientErrors) };
}
