// What one k6 customer does, decided from a random source up front: the same shape as the
// simulator's journeys: create a user, log in, browse,
// then 1-3 orders that are validated, processed and paid (success 80 %, failed 20 %, the
// outcome sent explicitly so the split is exact), some cancelled on the way, then log out.
// The orders come from shared/order-steps.ts, the simulator's own. Pure (no k6 import) so
// vitest can test it in Node.
import { drawsFrom, orderSteps, type OrderMix, type OrderStep } from '../../shared/order-steps.ts';

export type Mix = OrderMix;

export const defaultMix: Mix = { paymentSuccess: 0.8, cancelShare: 0.1, minOrders: 1, maxOrders: 3 };

export type Step = { type: 'createUser' } | { type: 'login' } | { type: 'browse' } | { type: 'getUser' } | OrderStep | { type: 'stats' } | { type: 'logout' };

export function planJourney(random: () => number, mix: Mix = defaultMix): Step[] {
  const draw = drawsFrom(random);
  const steps: Step[] = [{ type: 'createUser' }, { type: 'login' }, { type: 'browse' }];
  if (draw.chance(0.3)) steps.push({ type: 'getUser' });
  steps.push(...orderSteps(draw, mix), { type: 'stats' }, { type: 'logout' });
  return steps;
}

/** The order status each step must leave behind (what the body checks expect). */
export const expectedStatus: Record<'validate' | 'process' | 'cancel', string> = {
  validate: 'validated',
  process: 'processing',
  cancel: 'cancelled',
};

/** Payment outcome -> order status after payment. */
export function statusAfterPayment(outcome: 'success' | 'failed'): string {
  return outcome === 'success' ? 'paid' : 'failed';
}
