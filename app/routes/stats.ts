// GET /api/stats: the seed's dashboard numbers plus revenue (see StatsRepository for cost);
// the statsSlowQuery fault flag makes its SQL sleep.
import type { Router } from 'express';
import { newRouter } from '../http/request-context.ts';
import type { AppContext } from '../context.ts';

export function statsRouter(ctx: AppContext): Router {
  const r = newRouter();
  r.get('/', async (_req, res) => {
    ctx.requireSchema();
    res.json(await ctx.stats.read(ctx.faults.values.statsSlowQuery));
  });
  return r;
}
