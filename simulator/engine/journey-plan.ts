// What one simulated customer will do, decided up front from a seeded PRNG, so a run with
// the same seed plans the same journeys and the plan can be unit-tested without a shop.
// Injected errors are spread as a Bernoulli stream over the journey's requests: before
// each regular request, error requests are inserted while a coin with P = errorRate says so;
// so each request of the journey is an injected error with probability errorRate.
import { Faker, en } from '@faker-js/faker';
import { orderSteps, type OrderMix, type OrderStep } from '../../shared/order-steps.ts';
import { Prng } from './prng.ts';

export interface JourneyMix extends OrderMix {
  /** share of journey requests that are injected errors, 0..1 */
  errorRate: number;
  /** share of users created with no body (the shop invents the name) */
  anonymousUserShare: number;
}

export const defaultMix: JourneyMix = {
  paymentSuccess: 0.8,
  errorRate: 0.05,
  cancelShare: 0.1,
  anonymousUserShare: 0.1,
  minOrders: 1,
  maxOrders: 3,
};

/** statuses for /api/errors/custom; 503 is left out so it keeps meaning "database unavailable" */
export const customErrorStatuses = [400, 403, 409, 422, 429, 502, 504] as const;

export type InjectedError = { kind: '404' } | { kind: '500' } | { kind: 'custom'; status: number; message: string };

export type JourneyStep =
  | { type: 'createUser'; body?: { name: string; email: string } }
  | { type: 'login' }
  | { type: 'browse' }
  | { type: 'getUser' }
  | OrderStep
  | { type: 'stats' }
  | { type: 'logout' }
  | { type: 'injectError'; error: InjectedError };

export interface JourneyPlan {
  index: number;
  steps: JourneyStep[];
}

// one instance, reseeded per journey (planning is synchronous, so no interleaving)
const faker = new Faker({ locale: [en] });

/** at most this many injected errors in a row, so errorRate = 1 still ends */
const MAX_ERRORS_PER_SLOT = 20;

export function planJourney(runSeed: number, index: number, mix: JourneyMix = defaultMix): JourneyPlan {
  const rng = new Prng(runSeed * 1_000_003 + index);
  const regular: JourneyStep[] = [];

  if (rng.chance(mix.anonymousUserShare)) {
    regular.push({ type: 'createUser' });
  } else {
    faker.seed(rng.seed());
    const firstName = faker.person.firstName();
    const lastName = faker.person.lastName();
    const email = faker.internet.email({ firstName, lastName, provider: `sim${index % 97}.example` });
    regular.push({ type: 'createUser', body: { name: `${firstName} ${lastName}`, email } });
  }
  regular.push({ type: 'login' }, { type: 'browse' });
  if (rng.chance(0.3)) regular.push({ type: 'getUser' });

  regular.push(...orderSteps(rng, mix));
  // one read of the shop's dashboard figures somewhere after login, as a curious user would
  regular.splice(rng.int(2, regular.length), 0, { type: 'stats' });
  regular.push({ type: 'logout' });

  const steps: JourneyStep[] = [];
  for (const step of regular) {
    for (let n = 0; n < MAX_ERRORS_PER_SLOT && rng.chance(mix.errorRate); n++) steps.push({ type: 'injectError', error: pickError(rng) });
    steps.push(step);
  }
  return { index, steps };
}

function pickError(rng: Prng): InjectedError {
  const roll = rng.int(0, 2);
  if (roll === 0) return { kind: '404' };
  if (roll === 1) return { kind: '500' };
  const status = rng.pick(customErrorStatuses);
  return { kind: 'custom', status, message: `simulated ${status}` };
}
