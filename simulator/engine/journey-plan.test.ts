import { describe, expect, it } from 'vitest';
import { customErrorStatuses, defaultMix, planJourney, type JourneyStep } from './journey-plan.ts';

const regular = (steps: JourneyStep[]): JourneyStep[] => steps.filter((s) => s.type !== 'injectError');

describe('planJourney', () => {
  it('is deterministic for a seed and index, and varies across indexes and seeds', () => {
    expect(planJourney(1, 5)).toEqual(planJourney(1, 5));
    expect(planJourney(1, 5)).not.toEqual(planJourney(1, 6));
    expect(planJourney(1, 5)).not.toEqual(planJourney(2, 5));
  });

  it('follows a customer journey: create, login, browse, orders, logout', () => {
    for (let i = 0; i < 300; i++) {
      const steps = regular(planJourney(99, i).steps);
      expect(steps[0]?.type).toBe('createUser');
      expect(steps[1]?.type).toBe('login');
      expect(steps.at(-1)?.type).toBe('logout');
      const creates = steps.filter((s) => s.type === 'createOrder');
      expect(creates.length).toBeGreaterThanOrEqual(1);
      expect(creates.length).toBeLessThanOrEqual(3);
      expect(steps.filter((s) => s.type === 'stats')).toHaveLength(1);
      // each order ends either paid or cancelled, and state changes come in order
      for (const c of creates) {
        if (c.type !== 'createOrder') continue;
        const mine = steps.filter((s) => 'order' in s && s.order === c.order && s.type !== 'getOrder').map((s) => s.type);
        expect([
          ['createOrder', 'cancel'],
          ['createOrder', 'validate', 'cancel'],
          ['createOrder', 'validate', 'process', 'cancel'],
          ['createOrder', 'validate', 'process', 'pay'],
        ]).toContainEqual(mine);
        expect(c.quantity).toBeGreaterThanOrEqual(1);
        expect(c.quantity).toBeLessThanOrEqual(3);
      }
    }
  });

  it('waits on a share of the successful payments only, and on none by default (plans unchanged)', () => {
    let paid = 0;
    let waits = 0;
    for (let i = 0; i < 2000; i++) {
      const steps = regular(planJourney(7, i, { ...defaultMix, errorRate: 0, fulfilmentWait: 0.5 }).steps);
      for (const [k, s] of steps.entries()) {
        if (s.type === 'pay' && s.status === 'success') paid++;
        if (s.type !== 'awaitFulfilment') continue;
        waits++;
        // after its own successful payment (a read back may come between)
        const pay = steps.slice(0, k).findLast((p) => p.type === 'pay' && p.order === s.order);
        expect(pay).toMatchObject({ type: 'pay', status: 'success' });
      }
      expect(planJourney(7, i).steps.some((s) => s.type === 'awaitFulfilment')).toBe(false);
    }
    expect(Math.abs(waits - paid / 2)).toBeLessThan(4.5 * Math.sqrt(paid / 4));
    // without the share, the draws and so the plans are what they were
    expect(planJourney(7, 3, { ...defaultMix, fulfilmentWait: 0 })).toEqual(planJourney(7, 3));
  });

  it('asks for payment success at the configured ratio (within 4.5 sd)', () => {
    let success = 0;
    let total = 0;
    for (let i = 0; i < 3000; i++) {
      for (const s of planJourney(7, i, { ...defaultMix, paymentSuccess: 0.7 }).steps) {
        if (s.type !== 'pay') continue;
        total++;
        if (s.status === 'success') success++;
      }
    }
    const sd = Math.sqrt(total * 0.7 * 0.3);
    expect(total).toBeGreaterThan(3000);
    expect(Math.abs(success - total * 0.7)).toBeLessThan(4.5 * sd);
  });

  it('makes injected errors the configured share of requests (within 4.5 sd)', () => {
    let injected = 0;
    let all = 0;
    const kinds = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      for (const s of planJourney(3, i, { ...defaultMix, errorRate: 0.1 }).steps) {
        all++;
        if (s.type === 'injectError') {
          injected++;
          kinds.add(s.error.kind === 'custom' ? `custom` : s.error.kind);
          if (s.error.kind === 'custom') expect(customErrorStatuses).toContain(s.error.status);
        }
      }
    }
    // each request is an error with probability 0.1, independently
    expect(Math.abs(injected - all * 0.1)).toBeLessThan(4.5 * Math.sqrt(all * 0.1 * 0.9));
    expect(kinds).toEqual(new Set(['404', '500', 'custom']));
  });

  it('cancels about the configured share of orders and none when the share is 0', () => {
    let orders = 0;
    let cancels = 0;
    for (let i = 0; i < 2000; i++) {
      const steps = planJourney(11, i, { ...defaultMix, cancelShare: 0.1 }).steps;
      orders += steps.filter((s) => s.type === 'createOrder').length;
      cancels += steps.filter((s) => s.type === 'cancel').length;
    }
    expect(Math.abs(cancels - orders * 0.1)).toBeLessThan(4.5 * Math.sqrt(orders * 0.1 * 0.9));
    const none = Array.from({ length: 200 }, (_, i) => planJourney(11, i, { ...defaultMix, cancelShare: 0, errorRate: 0 }).steps);
    expect(none.flat().some((s) => s.type === 'cancel' || s.type === 'injectError')).toBe(false);
  });

  it('ends even when every request should be an error', () => {
    const steps = planJourney(1, 1, { ...defaultMix, errorRate: 1 }).steps;
    expect(regular(steps).length).toBeGreaterThan(0);
    expect(steps.length).toBeLessThan(2000);
  });

  it('creates users with faker names and emails, some without a body', () => {
    const bodies = Array.from({ length: 500 }, (_, i) => planJourney(4, i).steps[0]).filter((s) => s?.type === 'createUser');
    const withBody = bodies.filter((s) => s?.type === 'createUser' && s.body);
    expect(withBody.length).toBeGreaterThan(400);
    expect(withBody.length).toBeLessThan(500);
    for (const s of withBody) if (s?.type === 'createUser') expect(s.body?.email).toMatch(/@sim\d+\.example$/);
  });
});
