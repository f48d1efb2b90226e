// Pure parsing for the stack command (unit-tested in parse.test.ts).
import type { Durability } from '../lab/index.ts';
import type { PromTarget } from './types.ts';

interface TargetsJson {
  data?: { activeTargets?: { labels?: Record<string, string>; health?: string; lastError?: string }[] };
}

export function parsePromTargets(json: unknown): PromTarget[] {
  const targets = (json as TargetsJson).data?.activeTargets ?? [];
  return targets.map((t) => ({
    job: t.labels?.job ?? '',
    instance: t.labels?.instance ?? '',
    health: t.health ?? 'unknown',
    lastError: t.lastError ?? '',
  }));
}

export function durabilityFromFlush(flush: string | undefined): Durability | 'unknown' {
  switch (flush) {
    case '1': return 'strict';
    case '2': return 'relaxed';
    case '0': return 'fast';
    default: return 'unknown';
  }
}
