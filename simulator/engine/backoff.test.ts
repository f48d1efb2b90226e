import { describe, expect, it } from 'vitest';
import { backoffMs } from './journey-runner.ts';

const timeout = { kind: 'timeout' as const, durationMs: 10 };
const withRetryAfter = (v: string) =>
  ({ kind: 'response', status: 503, headers: new Headers({ 'retry-after': v }), body: undefined, durationMs: 1 }) as unknown as Parameters<typeof backoffMs>[2];

describe('backoff between attempts', () => {
  it('grows with the attempt but never past the cap, even after a hundred attempts', () => {
    for (let attempt = 0; attempt < 120; attempt++) {
      const ms = backoffMs(100, attempt, timeout, 1_000);
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThanOrEqual(1_000);
    }
  });
  it("follows the shop's Retry-After, capped too", () => {
    expect(backoffMs(100, 0, withRetryAfter('1'), 2_000)).toBe(1_000);
    expect(backoffMs(100, 0, withRetryAfter('30'), 2_000)).toBe(2_000);
  });
});
