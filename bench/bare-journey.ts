// A simulator journey without the shop: the same plan the simulator engine makes for a
// seed and index (planJourney), each step played as the SQL the shop would issue for it
// (bare-shop.ts). Injected-error steps touch no database and are skipped; the bench runs
// both sides with errorRate 0 so they do the same work.
import { performance } from 'node:perf_hooks';
import { planJourney, type JourneyMix, type JourneyStep } from '../simulator/index.ts';
import type { BareShop } from './bare-shop.ts';

/** Steps that are POSTs on the shop side (an Idempotency-Key and one commit each). */
const WRITES = new Set<JourneyStep['type']>(['createUser', 'login', 'logout', 'createOrder', 'validate', 'process', 'cancel', 'pay']);

interface State {
  userId?: number;
  productIds: number[];
  orders: number[];
}

/** Plays journey `index` of `seed`; each step's latency (ms), and whether it wrote, goes to onStep. A failed step throws. */
export async function runBareJourney(
  shop: BareShop,
  seed: number,
  index: number,
  mix: JourneyMix,
  onStep: (ms: number, write: boolean) => void,
): Promise<void> {
  const plan = planJourney(seed, index, mix);
  const state: State = { productIds: [], orders: [] };
  for (const step of plan.steps) {
    if (step.type === 'injectError') continue;
    const t = performance.now();
    await runStep(shop, step, state, index);
    onStep(performance.now() - t, WRITES.has(step.type));
  }
}

async function runStep(shop: BareShop, step: Exclude<JourneyStep, { type: 'injectError' }>, s: State, index: number): Promise<void> {
  const user = (): number => {
    if (s.userId === undefined) throw new Error('journey step before its user was created');
    return s.userId;
  };
  const order = (i: number): number => {
    const id = s.orders[i];
    if (id === undefined || id === 0) throw new Error(`journey step on order ${i}, which was not created`);
    return id;
  };
  switch (step.type) {
    case 'createUser': {
      const name = step.body?.name ?? `Bench${index}`;
      const email = step.body?.email ?? `bench${index}@example.com`;
      s.userId = await shop.createUser(name, email);
      return;
    }
    case 'login':
      return shop.login(user());
    case 'logout':
      return shop.logout(user());
    case 'getUser':
      return shop.getUser(user());
    case 'stats':
      return shop.stats();
    case 'browse':
      s.productIds = await shop.products();
      return;
    case 'createOrder': {
      const productId = s.productIds[Math.floor(step.productPick * s.productIds.length)];
      if (productId === undefined) throw new Error('no products');
      s.orders[step.order] = await shop.createOrder(user(), productId, step.quantity);
      return;
    }
    case 'validate':
    case 'process':
    case 'cancel': {
      const id = order(step.order);
      return shop.transition(id, step.type);
    }
    case 'pay': {
      const id = order(step.order);
      return shop.pay(id, step.status);
    }
    case 'getOrder':
      return shop.getOrder(order(step.order));
  }
}
