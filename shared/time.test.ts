import { describe, expect, it } from 'vitest';
import { pollUntil } from './time.ts';

describe('pollUntil', () => {
  it('returns the first value the probe gives, polling until then', async () => {
    let calls = 0;
    expect(await pollUntil(Date.now() + 5_000, 10, () => Promise.resolve(++calls === 3 ? 'ready' : undefined))).toBe('ready');
    expect(calls).toBe(3);
  });
  it('gives undefined once the deadline passes, and never calls more than maxTries times', async () => {
    let calls = 0;
    expect(await pollUntil(Date.now() + 50, 10, () => { calls++; return Promise.resolve(undefined); })).toBeUndefined();
    expect(calls).toBeLessThanOrEqual(6);
    calls = 0;
    expect(await pollUntil(Date.now() + 60_000, 1, () => { calls++; return Promise.resolve(undefined); }, 4)).toBeUndefined();
    expect(calls).toBe(4);
  });
});
