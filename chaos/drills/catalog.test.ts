import { describe, expect, it } from 'vitest';
import { drills, findDrill } from './catalog.ts';

describe('drill catalog', () => {
  it('has the drills the issues ask for, each named once', () => {
    const names = drills.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of ['galera-node-stop', 'galera-node-kill', 'galera-node-pause', 'galera-partition', 'galera-quorum-loss', 'galera-full-outage', 'galera-crash-burst', 'haproxy-stop', 'db-latency', 'worker-crash', 'relay-crash', 'worker-poison']) {
      expect(findDrill(n), n).toBeDefined();
    }
  });
  it.each(drills.map((d) => [d.name, d] as const))('%s is a valid drill', (_name, d) => {
    expect(d.name).toMatch(/^[a-z0-9-]+$/);
    expect(d.description.length).toBeGreaterThan(20);
    expect(d.proves.length).toBeGreaterThan(10);
    expect(d.defaultFaultSeconds).toBeGreaterThan(0);
    expect(d.recoveryBoundSeconds).toBeGreaterThanOrEqual(30);
    // a 500 is never an allowed answer (but while a table is gone: the shop cannot answer better;
    // and in an alert drill, whose fault may be a 500 on purpose: the alert is judged),
    // and what is allowed is not also forbidden
    if (d.fault.kind !== 'restore' && d.alert === undefined) {
      expect(d.expectations.allowedClientStatuses).not.toContain(500);
      expect(d.expectations.forbidClientStatuses).toContain(500);
    }
    expect(d.expectations.allowedClientStatuses.filter((s) => d.expectations.forbidClientStatuses.includes(s))).toEqual([]);
    if (d.targets.kind === 'two') expect(new Set(d.targets.default).size).toBe(2);
  });
  it('marks every drill that takes two or more Galera nodes away as breaking quorum', () => {
    for (const d of drills) {
      const many = d.targets.kind === 'two' || d.targets.kind === 'all';
      // a rolling restart targets every node but takes one away at a time
      const oneAtATime = d.fault.kind === 'rolling-restart';
      if (d.targets.role === 'galera' && many) expect(d.breaksQuorum, d.name).toBe(!oneAtATime);
      if (!many) expect(d.breaksQuorum, d.name).toBe(false);
    }
  });
  it('only the full-outage drills kill every node, and they bootstrap safely', () => {
    const all = drills.filter((d) => d.fault.kind === 'kill-all').map((d) => d.name).sort();
    expect(all).toEqual(['galera-crash-burst', 'galera-full-outage']);
    expect(findDrill('galera-crash-burst')?.fault).toEqual({ kind: 'kill-all', spacingMs: 0 });
  });
});
