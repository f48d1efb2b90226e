import { describe, expect, it } from 'vitest';
import { ORDER_STATUSES, TRANSITIONS, canApply, isOrderStatus, type OrderAction, type OrderStatus } from './order-states.ts';

// The expected table, written out independently of TRANSITIONS.
const LEGAL: Record<OrderAction, OrderStatus[]> = {
  validate: ['pending'],
  process: ['validated'],
  cancel: ['pending', 'validated', 'processing'],
  pay: ['processing'],
  fail: ['processing'],
  fulfil: ['paid'],
};

describe('order state machine', () => {
  for (const action of Object.keys(LEGAL) as OrderAction[]) {
    for (const from of ORDER_STATUSES) {
      const legal = LEGAL[action].includes(from);
      it(`${action} from ${from} is ${legal ? 'legal' : 'illegal'}`, () => {
        expect(canApply(action, from)).toBe(legal);
      });
    }
  }

  it('never leaves a terminal state', () => {
    for (const terminal of ['fulfilled', 'failed', 'cancelled'] as const) {
      for (const t of Object.values(TRANSITIONS)) expect(t.from).not.toContain(terminal);
    }
  });

  it('recognises statuses', () => {
    expect(isOrderStatus('paid')).toBe(true);
    expect(isOrderStatus('shipped')).toBe(false);
    expect(isOrderStatus(3)).toBe(false);
  });
});
