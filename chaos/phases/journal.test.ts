import { describe, expect, it } from 'vitest';
import { buildTimeline } from '../report/timeline.ts';
import { Journal, phaseEvents } from './journal.ts';

function clock(): () => Date {
  let t = Date.parse('2026-12-02T00:00:00Z');
  return () => new Date((t += 1_000));
}

describe('the drill journal', () => {
  it('records each phase with its start, end, outcome and detail, in order', async () => {
    const printed: string[] = [];
    const j = new Journal((l) => printed.push(l), clock());
    expect(await j.phase('steady-state-hypothesis', () => Promise.resolve({ value: 7, detail: 'all checks pass' }))).toBe(7);
    await j.phase('recovery', () => Promise.resolve({ value: undefined, detail: 'not back after 60 s', outcome: 'failed' as const }));
    expect(j.phases.map((p) => [p.phase, p.outcome, p.detail, p.seconds])).toEqual([
      ['steady-state-hypothesis', 'ok', 'all checks pass', 2],
      ['recovery', 'failed', 'not back after 60 s', 2],
    ]);
    expect(printed).toEqual(['== steady-state-hypothesis', '== recovery']);
    expect(j.log[0]).toMatch(/^2026-12-02T00:00:0\dZ? ?.*== steady-state-hypothesis$/);
  });

  it('records a phase that throws as failed, with the error, and rethrows it', async () => {
    const j = new Journal(() => undefined, clock());
    await expect(j.phase('method', () => Promise.reject(new Error('docker went away')))).rejects.toThrow('docker went away');
    expect(j.phases).toMatchObject([{ phase: 'method', outcome: 'failed', detail: 'docker went away' }]);
  });
});

describe('the journal in the timeline', () => {
  it('puts every phase at its start, beside the observer\'s events, and keeps them all', async () => {
    const j = new Journal(() => undefined, clock());
    await j.phase('method', () => Promise.resolve({ value: 1, detail: 'held 10 s' }));
    await j.phase('rollbacks', () => Promise.resolve({ value: 1, detail: 'the lab is as it was' }));
    const at = Date.parse('2026-12-02T00:00:02Z');
    const t = buildTimeline([{ at, kind: 'fault-start', detail: 'kill' }, ...phaseEvents(j.phases)]);
    expect(t.events.map((e) => [e.kind, e.offsetSeconds, e.detail])).toEqual([
      ['phase', -1, 'method: ok, 2.0 s — held 10 s'],
      ['fault-start', 0, 'kill'],
      ['phase', 2, 'rollbacks: ok, 2.0 s — the lab is as it was'],
    ]);
  });
});
