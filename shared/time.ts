// Bounded waits. A plain `Promise.race([p, sleep(ms)])` leaves the timer running and keeps
// the process alive until it fires; this one cancels it as soon as the race is decided.
import { setTimeout as sleep } from 'node:timers/promises';

export const TIMED_OUT = Symbol('timed out');

export async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  const ac = new AbortController();
  try {
    return await Promise.race([p, sleep(ms, TIMED_OUT, { signal: ac.signal })]);
  } finally {
    ac.abort();
  }
}

/**
 * Calls `probe` until it returns something other than undefined, every `everyMs`, until
 * `deadline` (epoch ms) has passed; undefined then. At most `maxTries` calls, so that a clock
 * jump cannot make a bounded wait spin for ever. The probe decides what a failure means: one
 * that throws ends the wait with that error. An aborted `signal` (Ctrl-C) ends it at once, undefined.
 */
export async function pollUntil<T>(deadline: number, everyMs: number, probe: () => Promise<T | undefined>, maxTries = 10_000, signal?: AbortSignal): Promise<T | undefined> {
  for (let i = 0; i < maxTries && !signal?.aborted; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() + everyMs > deadline) return undefined;
    await sleep(everyMs, undefined, signal ? { signal } : {}).catch(() => undefined);
  }
  return undefined;
}
