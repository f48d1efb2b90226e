// Error injection: errors on purpose, for dashboards and drills. Off unless
// ERROR_INJECTION_ENABLED=true; while off every path here answers 404 {error:"error_injection_disabled"}.
import type { Router } from 'express';
import { newRouter } from '../http/request-context.ts';
import type { AppContext } from '../context.ts';
import { HttpError } from '../../shared/web/http-error.ts';
import { customErrorSchema, parseBody } from '../http/validation.ts';

export function errorInjectionRouter(ctx: AppContext): Router {
  const r = newRouter();
  r.use((_req, _res, next) => {
    if (ctx.config.errorInjectionEnabled) next();
    else next(new HttpError(404, 'error_injection_disabled', 'error injection is disabled (set ERROR_INJECTION_ENABLED=true)'));
  });
  r.get('/404', () => {
    ctx.metrics.injectedErrors.inc({ kind: '404' });
    throw new HttpError(404, 'injected_not_found', 'injected 404 error');
  });
  r.get('/500', () => {
    ctx.metrics.injectedErrors.inc({ kind: '500' });
    throw new HttpError(500, 'injected_server_error', 'injected 500 error');
  });
  r.post('/custom', (req) => {
    const input = parseBody(customErrorSchema, req.body);
    ctx.metrics.injectedErrors.inc({ kind: 'custom' });
    throw new HttpError(input.status, 'injected_error', input.message);
  });
  return r;
}
