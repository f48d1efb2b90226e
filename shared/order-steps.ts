// The order part of a customer's journey (simulator/engine/journey-plan.ts), apart so that
// its rules read on their own: 1-3 orders, each validated, processed and paid (success or
// failed as the mix says), some cancelled on the way, some read back after payment, and a
// share of the paid ones waited on until a worker has shipped them (the fulfilment lag).

type CancelPoint = 'pending' | 'validated' | 'processing';

export type OrderStep =
  | { type: 'createOrder'; order: number; productPick: number; quantity: number }
  | { type: 'validate'; order: number }
  | { type: 'process'; order: number }
  | { type: 'cancel'; order: number }
  | { type: 'pay'; order: number; status: 'success' | 'failed' }
  | { type: 'getOrder'; order: number }
  | { type: 'awaitFulfilment'; order: number };

export interface OrderMix {
  /** share of payments asked to succeed, 0..1 */
  paymentSuccess: number;
  /** share of orders cancelled before payment, 0..1 */
  cancelShare: number;
  minOrders: number;
  maxOrders: number;
  /** share of successful payments the journey then waits on until shipped, 0..1 (default 0) */
  fulfilmentWait?: number;
}

/** The random draws a plan needs; the simulator's seeded Prng has them, `drawsFrom` makes them from Math.random. */
export interface Draws {
  /** uniform in [0, 1) */
  next(): number;
  /** integer in [min, max], both included */
  int(min: number, max: number): number;
  /** true with probability p */
  chance(p: number): boolean;
}

const CANCEL_POINTS: readonly CancelPoint[] = ['pending', 'validated', 'processing'];

/** The order steps of one journey, in the order they are sent. */
export function orderSteps(draw: Draws, mix: OrderMix): OrderStep[] {
  const steps: OrderStep[] = [];
  const orders = draw.int(mix.minOrders, mix.maxOrders);
  for (let order = 0; order < orders; order++) {
    steps.push({ type: 'createOrder', order, productPick: draw.next(), quantity: draw.int(1, 3) });
    const cancelAt = draw.chance(mix.cancelShare) ? CANCEL_POINTS[draw.int(0, CANCEL_POINTS.length - 1)] : undefined;
    const status = draw.chance(mix.paymentSuccess) ? 'success' : 'failed';
    if (cancelAt === 'pending') {
      steps.push({ type: 'cancel', order });
      continue;
    }
    steps.push({ type: 'validate', order });
    if (cancelAt === 'validated') {
      steps.push({ type: 'cancel', order });
      continue;
    }
    steps.push({ type: 'process', order });
    if (cancelAt === 'processing') {
      steps.push({ type: 'cancel', order });
      continue;
    }
    steps.push({ type: 'pay', order, status });
    if (draw.chance(0.3)) steps.push({ type: 'getOrder', order });
    // drawn only when asked for, so that plans without it stay what they were for a seed
    const wait = mix.fulfilmentWait ?? 0;
    if (status === 'success' && wait > 0 && draw.chance(wait)) steps.push({ type: 'awaitFulfilment', order });
  }
  return steps;
}
