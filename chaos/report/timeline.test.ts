import { describe, expect, it } from 'vitest';
import { buildTimeline, countClientErrors, outcomeDelta } from './timeline.ts';

describe('buildTimeline', () => {
  it('sorts, keeps the first event of each kind, and measures from the fault start', () => {
    const t = buildTimeline([
      { at: 13_000, kind: 'haproxy-marked-down', detail: 'mariadb-2 DOWN' },
      { at: 10_000, kind: 'fault-start', detail: 'kill' },
      { at: 8_000, kind: 'traffic-start', detail: '' },
      { at: 11_500, kind: 'first-client-error', detail: '1 × 503' },
      { at: 14_000, kind: 'haproxy-marked-down', detail: 'again' },
      { at: 30_000, kind: 'rollback-start', detail: '' },
      { at: 41_000, kind: 'steady-state-back', detail: '' },
      { at: 20_000, kind: 'note', detail: 'a' },
      { at: 21_000, kind: 'note', detail: 'b' },
    ]);
    expect(t.events.map((e) => e.kind)).toEqual(['traffic-start', 'fault-start', 'first-client-error', 'haproxy-marked-down', 'note', 'note', 'rollback-start', 'steady-state-back']);
    expect(t.events[0]?.offsetSeconds).toBe(-2);
    expect(t.secondsToFirstClientError).toBe(1.5);
    expect(t.secondsToDetection).toBe(3);
    expect(t.secondsToRecover).toBe(11);
    expect(t.secondsOfImpact).toBe(31);
  });
  it('leaves durations undefined when an event never happened', () => {
    const t = buildTimeline([{ at: 1_000, kind: 'fault-start', detail: '' }, { at: 2_000, kind: 'rollback-start', detail: '' }]);
    expect(t.secondsToDetection).toBeUndefined();
    expect(t.secondsToRecover).toBeUndefined();
  });
  it('times the first success after the first client error, and how long clients saw errors', () => {
    const t = buildTimeline([
      { at: 1_000, kind: 'fault-start', detail: '' },
      { at: 1_750, kind: 'first-client-error', detail: '2 × error' },
      { at: 2_250, kind: 'first-success-after-error', detail: '1 × 2xx' },
      { at: 4_500, kind: 'last-client-error', detail: '9 client errors so far' },
    ]);
    expect(t.secondsToFirstSuccess).toBe(1.3);
    expect(t.secondsOfClientErrors).toBe(2.8);
  });
  it('does not count an error before the fault as the fault`s', () => {
    const t = buildTimeline([{ at: 500, kind: 'first-client-error', detail: '' }, { at: 1_000, kind: 'fault-start', detail: '' }]);
    expect(t.secondsToFirstClientError).toBeUndefined();
  });
});

describe('outcomes', () => {
  it('subtracts cumulative counters and keeps only what grew', () => {
    expect(outcomeDelta({ '200': 10, '503': 1 }, { '200': 15, '503': 1, timeout: 2 })).toEqual({ '200': 5, timeout: 2 });
  });
  it('counts 5xx, timeouts and connection errors as client errors, not 4xx', () => {
    expect(countClientErrors({ '200': 9, '404': 3, '409': 1, '503': 2, '500': 1, timeout: 1, error: 4 })).toBe(8);
  });
});
