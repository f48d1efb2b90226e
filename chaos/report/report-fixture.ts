// A drill report as the writers and the pictures get it, for their unit tests.
import { findDrill } from '../drills/catalog.ts';
import type { Drill } from '../types.ts';
import { buildTimeline } from './timeline.ts';
import { integritySection, type DrillReport } from './write.ts';

export const drill = findDrill('galera-full-outage') as Drill;

export function report(): DrillReport {
  const integrity = integritySection(
    {
      result: { acknowledged: { users: 2, orders: 3, payments: 1 }, foundOnEveryNode: 5, missing: [{ kind: 'order', id: '77', nodes: ['mariadb-2'] }], regressed: [], reusedIds: [], unreadableNodes: [] },
      staleReads: [],
      staleMissing: 1,
    },
    { checked: ['left-terminal-state'], violations: [{ invariant: 'left-terminal-state', node: 'mariadb-1', detail: 'order 5 went from terminal paid to cancelled' }], errors: [] },
  );
  return {
    drill: drill.name,
    description: drill.description,
    proves: drill.proves,
    project: 'smartshop',
    targets: ['mariadb-1', 'mariadb-2', 'mariadb-3'],
    fault: 'SIGKILL all',
    durability: 'fast',
    startedAt: '2026-11-23T12:00:00.000Z',
    endedAt: '2026-11-23T12:02:00.000Z',
    options: { faultSeconds: 10, rate: 10, seed: 1 },
    steadyStateBefore: [],
    steadyStateAfter: [],
    timeline: buildTimeline([
      { at: 1_000, kind: 'fault-start', detail: 'kill' },
      { at: 3_000, kind: 'rollback-start', detail: '' },
      { at: 9_000, kind: 'steady-state-back', detail: '' },
    ]),
    clientErrorsDuringFault: { '503': 4 },
    traffic: { requests: 10, byOutcome: {}, uncertainWrites: 0 },
    probes: { total: 3, byStatus: { '503': 3 }, status503WithoutRetryAfter: 0 },
    haproxyMarkedTargetDown: true,
    targetLeftPrimary: undefined,
    bootstrap: { chosen: 'mariadb-2', reason: 'highest seqno', positions: [{ node: 'mariadb-2', grastate: { uuid: 'u', seqno: -1, safeToBootstrap: false }, recovered: { uuid: 'u', seqno: 42 } }], problems: [] },
    writes: { acknowledged: 6, lost: 1, lostIds: ['order 77'] },
    integrity,
    consistency: { consistent: true, nodes: [], differing: [], attempts: 1 },
    nodesAfter: [],
    rollbackProblems: ['mariadb-3: could not start'],
    verdict: { verdict: 'failed', reason: '1 acknowledged write(s) lost: order 77', failures: ['1 acknowledged write(s) lost: order 77'], deviations: [] },
    phases: [
      { phase: 'steady-state-hypothesis', startedAt: '2026-12-02T00:00:00.000Z', endedAt: '2026-12-02T00:00:01.500Z', seconds: 1.5, outcome: 'ok', detail: '5 checks pass' },
      { phase: 'recovery', startedAt: '2026-12-02T00:01:00.000Z', endedAt: '2026-12-02T00:06:00.000Z', seconds: 300, outcome: 'failed', detail: 'steady state not back within 300 s' },
    ],
    log: ['a line'],
  };
}
