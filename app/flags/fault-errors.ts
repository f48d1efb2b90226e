// What the request-path fault flags do to a request: productCatalogFailure's 500 and
// slowResponses' delay. Counted with the injected errors, so dashboards show them as such.
import type { NextFunction, Request, Response } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppContext } from '../context.ts';
import { HttpError } from '../../shared/web/http-error.ts';

export function failIfCatalogDown(ctx: AppContext): void {
  if (!ctx.faults.values.productCatalogFailure) return;
  ctx.metrics.injectedErrors.inc({ kind: 'productCatalogFailure' });
  throw new HttpError(500, 'product_catalog_failure', 'the product catalogue is failing (fault flag productCatalogFailure)');
}

/** The lab's own plumbing is never slowed: probes, metrics and the flags themselves. */
const EXEMPT = /^\/(metrics|api\/(health|ready|flags|lab)(\/|$))/;

/** slowResponses: waits the route's delay (longest matching prefix, else "all") before routing. */
export function slowResponses(ctx: AppContext) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const ms = EXEMPT.test(req.path) ? 0 : ctx.faults.delayMs(req.path);
    if (ms <= 0) {
      next();
      return;
    }
    void sleep(ms).then(() => next());
  };
}
