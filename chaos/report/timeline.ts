// Turns the raw events the runner recorded into the report's timeline and its derived
// durations (detection, time to recover). Pure.
import type { TimelineEvent } from '../types.ts';

export interface TimelineSummary {
  events: (TimelineEvent & { offsetSeconds: number })[];
  faultStart?: number;
  /** fault start → first 5xx/timeout seen by a client */
  secondsToFirstClientError?: number;
  /** fault start → the first 2xx a client got after its first error */
  secondsToFirstSuccess?: number;
  /** first client error → last client error: how long clients saw errors */
  secondsOfClientErrors?: number;
  /** fault start → HAProxy marks the target DOWN */
  secondsToDetection?: number;
  /** rollback start → steady state back */
  secondsToRecover?: number;
  /** fault start → steady state back */
  secondsOfImpact?: number;
}

/** Keeps only the first event of each once-only kind (notes, phases, alert moments and leader changes are all kept), sorted by time. */
export function buildTimeline(raw: TimelineEvent[]): TimelineSummary {
  const seen = new Set<string>();
  const sorted = [...raw].sort((a, b) => a.at - b.at);
  const kept = sorted.filter((e) => {
    if (e.kind === 'note' || e.kind === 'phase' || e.kind === 'alert' || e.kind === 'queue-leader') return true;
    if (seen.has(e.kind)) return false;
    seen.add(e.kind);
    return true;
  });
  const first = (kind: TimelineEvent['kind']): number | undefined => kept.find((e) => e.kind === kind)?.at;
  const origin = first('fault-start') ?? kept[0]?.at ?? 0;
  const span = (from: number | undefined, to: number | undefined): number | undefined =>
    from === undefined || to === undefined || to < from ? undefined : round((to - from) / 1000);
  const faultStart = first('fault-start');
  const firstError = first('first-client-error');
  return {
    events: kept.map((e) => ({ ...e, offsetSeconds: round((e.at - origin) / 1000) })),
    faultStart,
    // an error before the fault is not the fault's
    secondsToFirstClientError: firstError !== undefined && faultStart !== undefined && firstError >= faultStart ? span(faultStart, firstError) : undefined,
    secondsToFirstSuccess: firstError !== undefined && faultStart !== undefined && firstError >= faultStart ? span(faultStart, first('first-success-after-error')) : undefined,
    secondsOfClientErrors: span(firstError, first('last-client-error') ?? firstError),
    secondsToDetection: span(faultStart, first('haproxy-marked-down')),
    secondsToRecover: span(first('rollback-start'), first('steady-state-back')),
    secondsOfImpact: span(faultStart, first('steady-state-back')),
  };
}

/** Outcomes counted between two snapshots of cumulative counters (by status / timeout / error). */
export function outcomeDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d > 0) out[k] = d;
  }
  return out;
}

/** A client error: a 5xx, a timeout or a connection error (a 4xx is one of the shop's normal answers). */
export function isClientError(outcome: string): boolean {
  return /^5\d\d$/.test(outcome) || outcome === 'timeout' || outcome === 'error';
}

/** Client errors only, counted from outcomes by status (isClientError). */
export function countClientErrors(outcomes: Record<string, number>): number {
  return Object.entries(outcomes)
    .filter(([k]) => isClientError(k))
    .reduce((n, [, v]) => n + v, 0);
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
