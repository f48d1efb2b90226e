// Liveness (no database), readiness (schema applied and the database answers now), and the
// seed's root document with mysql_status.
import type { Router } from 'express';
import { newRouter } from '../http/request-context.ts';
import type { AppContext } from '../context.ts';
import { HttpError } from '../../shared/web/http-error.ts';
import { RETRY_AFTER_SECONDS } from '../http/error-handler.ts';

export function healthRouter(ctx: AppContext): Router {
  const r = newRouter();
  const started = Date.now();

  r.get('/', async (_req, res) => {
    const up = await ctx.db.ping();
    res.json({ message: 'SmartShop Simulation API', mysql_status: up ? 'connected' : 'disconnected', status: 'running' });
  });

  r.get('/api/health', (_req, res) => {
    res.json({ status: 'ok', uptime_seconds: Math.round((Date.now() - started) / 1000) });
  });

  r.get('/api/ready', async (_req, res) => {
    const up = await ctx.db.ping();
    if (!up || !ctx.state.schemaReady) {
      const why = up ? 'database schema not applied yet' : 'database not reachable';
      throw new HttpError(503, 'not_ready', why, { 'Retry-After': RETRY_AFTER_SECONDS });
    }
    res.json({ status: 'ready', mysql_status: 'connected', schema: 'applied' });
  });

  return r;
}
