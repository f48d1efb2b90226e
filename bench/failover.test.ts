import { describe, expect, it } from 'vitest';
import { failoverFigures, failoverMedians, newestFirst } from './failover.ts';

const FAULT = Date.parse('2026-03-01T10:00:00Z');

function report(drill: string, opts: { startedAt?: string; errors?: Record<string, number>; down?: number; steady?: number } = {}): unknown {
  const at = (s: number): number => FAULT + s * 1000;
  return {
    drill,
    startedAt: opts.startedAt ?? '2026-03-01T09:59:50.000Z',
    options: { faultSeconds: 30, rate: 5, seed: 1 },
    verdict: { verdict: 'passed', reason: 'ok', deviations: [] },
    clientErrorsDuringFault: { '200': 900, ...(opts.errors ?? {}) },
    writes: { acknowledged: 100, lost: 0, lostIds: [] },
    timeline: {
      faultStart: FAULT,
      secondsToDetection: opts.down ?? 2.4,
      secondsOfImpact: opts.steady ?? 41.2,
      secondsToRecover: 11.2,
      secondsToFirstClientError: opts.errors ? 0.8 : undefined,
      events: [
        { at: at(0), kind: 'fault-start', detail: '', offsetSeconds: 0 },
        { at: at(2.4), kind: 'haproxy-marked-down', detail: '', offsetSeconds: 2.4 },
        { at: at(30), kind: 'rollback-start', detail: '', offsetSeconds: 30 },
        { at: at(36.55), kind: 'haproxy-marked-up', detail: '', offsetSeconds: 36.6 },
        { at: at(41.2), kind: 'steady-state-back', detail: '', offsetSeconds: 41.2 },
      ],
    },
  };
}

describe('failoverFigures', () => {
  it('reads the timings from the timeline, relative to the fault', () => {
    const f = failoverFigures(report('galera-node-kill', { errors: { '503': 4, timeout: 1, '404': 7 } }), 'reports/x.json');
    expect(f).toMatchObject({
      drill: 'galera-node-kill',
      file: 'reports/x.json',
      verdict: 'passed',
      faultSeconds: 30,
      toFirstClientError: 0.8,
      toHaproxyDown: 2.4,
      toRollback: 30,
      toHaproxyUp: 36.6,
      toSteadyState: 41.2,
      rollbackToSteadyState: 11.2,
      writesLost: 0,
    });
    // 4xx and 2xx are the shop's normal answers, not client errors
    expect(f?.clientErrors).toBe(5);
    expect(f?.clientErrorsByKind).toEqual({ '503': 4, timeout: 1 });
    // clients saw errors: the report does not say when the first success came
    expect(f?.toFirstSuccess).toBeUndefined();
  });

  it('says the first success came at once when no client saw an error', () => {
    const f = failoverFigures(report('galera-node-stop'), 'a.json');
    expect(f?.clientErrors).toBe(0);
    expect(f?.toFirstSuccess).toBe(0);
  });

  it('ignores other drills and things that are not reports', () => {
    expect(failoverFigures(report('db-latency'), 'a.json')).toBeUndefined();
    expect(failoverFigures(null, 'a.json')).toBeUndefined();
    expect(failoverFigures([1, 2], 'a.json')).toBeUndefined();
    expect(failoverFigures({ drill: 42 }, 'a.json')).toBeUndefined();
  });

  it('gives what it can from a half-written report', () => {
    const f = failoverFigures({ drill: 'galera-partition' }, 'b.json');
    expect(f).toMatchObject({ drill: 'galera-partition', verdict: 'unknown', clientErrors: 0, toHaproxyDown: undefined, toFirstSuccess: undefined });
  });

  it('falls back to the events when the summary durations are missing', () => {
    const r = report('galera-partition') as { timeline: Record<string, unknown> };
    delete r.timeline.secondsToDetection;
    delete r.timeline.secondsOfImpact;
    const f = failoverFigures(r, 'c.json');
    expect(f?.toHaproxyDown).toBe(2.4);
    expect(f?.toSteadyState).toBe(41.2);
  });
});

describe('newestFirst and failoverMedians', () => {
  it('orders by start time, newest first, and takes medians over reports', () => {
    const list = [
      failoverFigures(report('galera-node-stop', { startedAt: '2026-03-01T08:00:00Z', down: 2, steady: 40 }), 'old.json'),
      failoverFigures(report('galera-node-stop', { startedAt: '2026-03-02T08:00:00Z', down: 3, steady: 50, errors: { '503': 6 } }), 'new.json'),
      failoverFigures(report('galera-node-stop', { startedAt: '2026-03-01T12:00:00Z', down: 4, steady: 45 }), 'mid.json'),
    ].filter((f) => f !== undefined);
    expect(newestFirst(list).map((f) => f.file)).toEqual(['new.json', 'mid.json', 'old.json']);
    expect(failoverMedians(list)).toEqual({ reports: 3, toHaproxyDown: 3, toSteadyState: 45, clientErrors: 0 });
  });
});
