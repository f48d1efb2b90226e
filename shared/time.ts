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
