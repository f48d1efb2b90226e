// The shop of a whole test file (test/shop.ts): started before its first test, stopped after
// its last. Kept apart from test/shop.ts, which the bench imports outside vitest.
import { afterAll, beforeAll } from 'vitest';
import { startShop, type Shop, type StartShopOptions } from './shop.ts';

/** The file's shop; its fields are read when a test runs (before that it is not started). */
export function useShop(options: StartShopOptions = {}): Shop {
  let shop: Shop | undefined;
  beforeAll(async () => {
    shop = await startShop(options);
  });
  afterAll(async () => {
    await shop?.stop();
  });
  const started = (): Shop => {
    if (shop === undefined) throw new Error('the shop of this file is not started: use it inside a test or a hook');
    return shop;
  };
  return new Proxy({} as Shop, { get: (_target, field): unknown => Reflect.get(started(), field) });
}
