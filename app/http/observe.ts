// HTTP RED metrics: one counter and one histogram observation per answered request,
// labelled by route template, plus the in-flight gauge.
import type { Request, Response, NextFunction, RequestHandler } from 'express';
import type { Metrics } from '../metrics.ts';
import { routeLabel } from './request-context.ts';

export function observeHttp(metrics: Metrics): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    metrics.httpInFlight.inc();
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      metrics.httpInFlight.dec();
      const labels = {
        method: req.method,
        route: routeLabel({ baseUrl: res.locals.mountPath ?? req.baseUrl, route: req.route as { path?: unknown } | undefined, explicit: res.locals.routeLabel }),
        status_code: String(res.statusCode),
      };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
    };
    res.once('finish', finish);
    res.once('close', finish); // client went away before the answer was written
    next();
  };
}
