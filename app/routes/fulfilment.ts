// GET /api/fulfilment: paid orders waiting for a worker, and the last shipments (the shop's
// UI shows both). Shipping itself has no route: only a worker ships an order (worker/).
import type { Router } from 'express';
import { newRouter } from '../http/request-context.ts';
import type { AppContext } from '../context.ts';

export function fulfilmentRouter(ctx: AppContext): Router {
  const r = newRouter();
  r.get('/', async (_req, res) => {
    ctx.requireSchema();
    res.json(await ctx.orders.fulfilmentOverview());
  });
  return r;
}
