import { describe, expect, it } from 'vitest';
import type { HttpOutcome } from './http-client.ts';
import { fieldParam, isRateLimited, paceMs, QUOTA_EXCEEDED, retryAfterMs } from './rate-limit.ts';

const answer = (status: number, headers: Record<string, string>, body?: unknown): HttpOutcome =>
  ({ kind: 'response', status, headers: new Headers(headers), body, text: JSON.stringify(body ?? ''), durationMs: 1 });

describe('the edge\'s rate limit, as the simulator reads it', () => {
  it('tells the edge\'s 429 (its problem type) from one the shop was asked to inject', () => {
    expect(isRateLimited(answer(429, { 'retry-after': '1' }, { type: QUOTA_EXCEEDED, status: 429 }))).toBe(true);
    expect(isRateLimited(answer(429, { ratelimit: '"light";r=5;t=1' }, { error: 'teapot' }))).toBe(false);
    expect(isRateLimited(answer(503, {}, { type: QUOTA_EXCEEDED }))).toBe(false);
    expect(isRateLimited({ kind: 'timeout', durationMs: 1 })).toBe(false);
  });

  it('reads the parameters of the draft\'s fields', () => {
    expect(fieldParam('"orders";r=0;t=1', 'r')).toBe(0);
    expect(fieldParam('"orders";q=10;w=1;smartshop-burst=2', 'q')).toBe(10);
    expect(fieldParam('"orders";q=10', 'w')).toBeUndefined();
    expect(fieldParam(null, 'r')).toBeUndefined();
  });

  it('waits Retry-After, and at least a second when it is missing', () => {
    expect(retryAfterMs(answer(429, { 'retry-after': '3' }))).toBe(3000);
    expect(retryAfterMs(answer(429, {}))).toBe(1000);
  });

  it('paces one request\'s share of the window once nothing is left', () => {
    expect(paceMs(answer(200, { ratelimit: '"orders";r=0;t=1', 'ratelimit-policy': '"orders";q=10;w=1' }))).toBe(100);
    expect(paceMs(answer(200, { ratelimit: '"orders";r=1;t=1', 'ratelimit-policy': '"orders";q=10;w=1' }))).toBe(0);
    expect(paceMs(answer(200, {}))).toBe(0);
  });
});
