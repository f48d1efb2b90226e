// The k6 journey plan must keep the simulator's shape: legal order transitions only,
// payments 80/20 success/failed, some cancellations, every order ending in a final step.
import { describe, expect, it } from 'vitest';
import { defaultMix, planJourney, type Step } from './plan.ts';

/** Deterministic random source (mulberry32) so the test is repeatable. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const next: Record<string, readonly string[]> = {
  createOrder: ['validate', 'cancel'],
  validate: ['process', 'cancel'],
  process: ['pay', 'cancel'],
};

describe('planJourney', () => {
  it('starts with user, login, browse and ends with logout', () => {
    const steps = planJourney(seeded(1));
    expect(steps.slice(0, 3).map((s) => s.type)).toEqual(['createUser', 'login', 'browse']);
    expect(steps.at(-1)?.type).toBe('logout');
  });

  it('walks each order through legal transitions only', () => {
    for (let seed = 0; seed < 300; seed++) {
      const perOrder = new Map<number, string[]>();
      for (const s of planJourney(seeded(seed))) {
        if ('order' in s) perOrder.set(s.order, [...(perOrder.get(s.order) ?? []), s.type]);
      }
      expect(perOrder.size).toBeGreaterThanOrEqual(defaultMix.minOrders);
      expect(perOrder.size).toBeLessThanOrEqual(defaultMix.maxOrders);
      for (const types of perOrder.values()) {
        const flow = types.filter((t) => t !== 'getOrder');
        expect(flow[0]).toBe('createOrder');
        for (let i = 1; i < flow.length; i++) expect(next[flow[i - 1] ?? '']).toContain(flow[i]);
        expect(['pay', 'cancel']).toContain(flow.at(-1));
      }
    }
  });

  it('sends 80/20 success/failed payments and cancels about 10 % of orders', () => {
    const steps: Step[] = [];
    const random = seeded(42);
    for (let i = 0; i < 3000; i++) steps.push(...planJourney(random));
    const pays = steps.filter((s): s is Extract<Step, { type: 'pay' }> => s.type === 'pay');
    const orders = steps.filter((s) => s.type === 'createOrder').length;
    const cancels = steps.filter((s) => s.type === 'cancel').length;
    const success = pays.filter((p) => p.status === 'success').length / pays.length;
    expect(success).toBeGreaterThan(0.77);
    expect(success).toBeLessThan(0.83);
    expect(cancels / orders).toBeGreaterThan(0.07);
    expect(cancels / orders).toBeLessThan(0.13);
  });
});
