// What one k6 customer does, decided from a random source up front: the same shape as the
// simulator's journeys (simulator/engine/journey-plan.ts): create a user, log in, browse,
// then 1-3 orders that are validated, processed and paid (success 80 %, failed 20 %, the
// outcome sent explicitly so the split is exact), some cancelled on the way, then log out.
// Pure (no k6 import) so vitest can test it in Node.
export interface Mix {
  /** share of payments sent with status "success" */
  paymentSuccess: number;
  /** share of orders cancelled before payment */
  cancelShare: number;
  minOrders: number;
  maxOrders: number;
}

export const defaultMix: Mix = { paymentSuccess: 0.8, cancelShare: 0.1, minOrders: 1, maxOrders: 3 };

export type CancelPoint = 'pending' | 'validated' | 'processing';

export type Step =
  | { type: 'createUser' }
  | { type: 'login' }
  | { type: 'browse' }
  | { type: 'getUser' }
  | { type: 'createOrder'; order: number; productPick: number; quantity: number }
  | { type: 'validate'; order: number }
  | { type: 'process'; order: number }
  | { type: 'cancel'; order: number }
  | { type: 'pay'; order: number; status: 'success' | 'failed' }
  | { type: 'getOrder'; order: number }
  | { type: 'stats' }
  | { type: 'logout' };

const cancelPoints: readonly CancelPoint[] = ['pending', 'validated', 'processing'];

function intBetween(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export function planJourney(random: () => number, mix: Mix = defaultMix): Step[] {
  const steps: Step[] = [{ type: 'createUser' }, { type: 'login' }, { type: 'browse' }];
  if (random() < 0.3) steps.push({ type: 'getUser' });
  const orders = intBetween(random, mix.minOrders, mix.maxOrders);
  for (let order = 0; order < orders; order++) {
    steps.push({ type: 'createOrder', order, productPick: random(), quantity: intBetween(random, 1, 3) });
    const cancelAt = random() < mix.cancelShare ? cancelPoints[intBetween(random, 0, 2)] : undefined;
    const status = random() < mix.paymentSuccess ? 'success' : 'failed';
    if (cancelAt === 'pending') { steps.push({ type: 'cancel', order }); continue; }
    steps.push({ type: 'validate', order });
    if (cancelAt === 'validated') { steps.push({ type: 'cancel', order }); continue; }
    steps.push({ type: 'process', order });
    if (cancelAt === 'processing') { steps.push({ type: 'cancel', order }); continue; }
    steps.push({ type: 'pay', order, status });
    if (random() < 0.3) steps.push({ type: 'getOrder', order });
  }
  steps.push({ type: 'stats' }, { type: 'logout' });
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
