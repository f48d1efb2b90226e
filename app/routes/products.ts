// The catalogue: GET /api/products, the products orders can be placed for.
import type { Router } from 'express';
import { newRouter } from '../http/request-context.ts';
import type { AppContext } from '../context.ts';
import { failIfCatalogDown } from '../flags/fault-errors.ts';

export function productsRouter(ctx: AppContext): Router {
  const r = newRouter();
  r.get('/', async (_req, res) => {
    failIfCatalogDown(ctx);
    ctx.requireSchema();
    res.json(await ctx.products.list());
  });
  return r;
}
