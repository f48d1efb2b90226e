// The order state machine as data: pending → validated → processing → paid | failed, then
// paid → fulfilled (a worker shipped it: docs/fulfilment.md); cancelled from any state
// before payment. Repositories turn an action into one conditional UPDATE
// (… WHERE status IN (from)), so the table is the only source of truth.
export const ORDER_STATUSES = ['pending', 'validated', 'processing', 'paid', 'failed', 'cancelled', 'fulfilled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export type OrderAction = 'validate' | 'process' | 'cancel' | 'pay' | 'fail' | 'fulfil';

export interface Transition {
  from: readonly OrderStatus[];
  to: OrderStatus;
}

export const TRANSITIONS: Readonly<Record<OrderAction, Transition>> = {
  validate: { from: ['pending'], to: 'validated' },
  process: { from: ['validated'], to: 'processing' },
  cancel: { from: ['pending', 'validated', 'processing'], to: 'cancelled' },
  pay: { from: ['processing'], to: 'paid' },
  fail: { from: ['processing'], to: 'failed' },
  fulfil: { from: ['paid'], to: 'fulfilled' },
};

export function isOrderStatus(value: unknown): value is OrderStatus {
  return typeof value === 'string' && (ORDER_STATUSES as readonly string[]).includes(value);
}

export function canApply(action: OrderAction, from: OrderStatus): boolean {
  return TRANSITIONS[action].from.includes(from);
}
