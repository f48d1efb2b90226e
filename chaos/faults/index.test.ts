import { describe, expect, it } from 'vitest';
import type { Target } from '../../lab/index.ts';
import { drills } from '../drills/catalog.ts';
import { describeFault, faultRefusal } from './index.ts';

describe('fault catalog', () => {
  it.each(drills.map((d) => [d.name, d] as const))("%s: its fault is described on compose and Swarm, naming its targets", (_name, d) => {
    for (const runtime of ['compose', 'swarm'] as const) {
      const text = describeFault(d.fault, ['node-a'], runtime);
      expect(text.length).toBeGreaterThan(20);
      if (d.fault.kind !== 'flags' && d.fault.kind !== 'restore') expect(text).toContain('node-a');
    }
  });
  it('a restore drill is refused on Swarm with the reason, before anything is touched', async () => {
    const swarm = { kind: 'swarm' } as Target;
    const spec = { kind: 'restore', disaster: 'drop-table', table: 'orders', pointInTime: true, trafficAfterBackupMs: 1 } as const;
    expect(await faultRefusal(spec, swarm, [], () => undefined)).toMatch(/compose lab only/);
    expect(await faultRefusal(spec, { kind: 'compose' } as Target, [], () => undefined)).toBeUndefined();
    // a fault without a preflight is never refused
    expect(await faultRefusal({ kind: 'kill' }, swarm, [], () => undefined)).toBeUndefined();
  });
});
