// GET /api/logs?limit=N: newest activity rows first (default 50, at most 500).
import type { Router } from 'express';
import { newRouter } from '../http/request-context.ts';
import type { AppContext } from '../context.ts';
import { parseLimit } from '../http/validation.ts';
import { recentActivity } from '../db/activity.ts';

export function logsRouter(ctx: AppContext): Router {
  const r = newRouter();
  r.get('/', async (req, res) => {
    const limit = parseLimit(req.query.limit);
    ctx.requireSchema();
    res.json(await recentActivity(ctx.db, limit));
  });
  return r;
}
