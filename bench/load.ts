// A closed loop at fixed concurrency for one operation (an HTTP request, a SQL round trip):
// `concurrency` workers each start the next operation as soon as theirs is done, until the
// time is up or `maxOps` operations have started. Journeys are not run here: they go
// through the simulator engine. Bounded: every operation carries its own timeout, so a
// loop ends at most one operation timeout after its duration.
import { performance } from 'node:perf_hooks';
import { describeOutcome, type HttpOutcome } from '../shared/http-client.ts';
import { runFigures, type RunFigures } from './stats.ts';

/** true = success; a string = the failure's kind (counted by kind). */
export type OpResult = true | string;

export interface LoopOptions {
  concurrency: number;
  durationMs: number;
  /** hard cap on operations started (default 1,000,000) */
  maxOps?: number;
}

export interface LoopResult {
  ok: number;
  errors: number;
  errorKinds: Record<string, number>;
  elapsedMs: number;
  /** latency of each successful operation, ms */
  latenciesMs: number[];
}

export async function closedLoop(options: LoopOptions, op: (index: number) => Promise<OpResult>): Promise<LoopResult> {
  const maxOps = options.maxOps ?? 1_000_000;
  const latenciesMs: number[] = [];
  const errorKinds: Record<string, number> = {};
  let errors = 0;
  let started = 0;
  const t0 = performance.now();
  const deadline = t0 + options.durationMs;
  const worker = async (): Promise<void> => {
    while (started < maxOps && performance.now() < deadline) {
      const index = started++;
      const t = performance.now();
      let result: OpResult;
      try {
        result = await op(index);
      } catch (err) {
        result = errorKind(err);
      }
      if (result === true) {
        latenciesMs.push(performance.now() - t);
      } else {
        errors++;
        errorKinds[result] = (errorKinds[result] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return { ok: latenciesMs.length, errors, errorKinds, elapsedMs: performance.now() - t0, latenciesMs };
}

export function loopFigures(r: LoopResult): RunFigures {
  return runFigures(r.latenciesMs, r.errors, r.elapsedMs / 1000);
}

/** An HTTP outcome as an OpResult: the expected status is success, anything else its description. */
export function httpResult(outcome: HttpOutcome, expected: number | number[] = 200): OpResult {
  const ok = Array.isArray(expected) ? expected : [expected];
  if (outcome.kind === 'response' && ok.includes(outcome.status)) return true;
  return describeOutcome(outcome).split(' (')[0] ?? 'error';
}

/** A thrown error's code (ER_LOCK_DEADLOCK, ECONNREFUSED, ...) or its class name. */
function errorKind(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code !== '') return code;
  return err instanceof Error ? err.name : 'error';
}

export function describeKinds(kinds: Record<string, number>): string {
  const entries = Object.entries(kinds).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? 'none' : entries.map(([k, v]) => `${v} × ${k}`).join(', ');
}
