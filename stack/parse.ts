// Pure parsing for the stack command (unit-tested in parse.test.ts).
import type { Durability } from '../lab/index.ts';

export function durabilityFromFlush(flush: string | undefined): Durability | 'unknown' {
  switch (flush) {
    case '1': return 'strict';
    case '2': return 'relaxed';
    case '0': return 'fast';
    default: return 'unknown';
  }
}
