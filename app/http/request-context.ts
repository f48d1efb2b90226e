// Request ids and route labels: small pure helpers shared by logging, metrics and errors.
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response, type NextFunction } from 'express';

const INCOMING_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Honours a sane incoming X-Request-Id (from HAProxy, the simulator, a drill), else makes one. */
export function chooseRequestId(incoming: string | undefined): string {
  return incoming !== undefined && INCOMING_ID.test(incoming) ? incoming : randomUUID();
}

declare module 'express-serve-static-core' {
  interface Request {
    requestId: string;
  }
  interface Locals {
    /** Set by handlers that are not Express routes (static UI) to name their label. */
    routeLabel?: string;
  }
}

export function requestId(req: Request, res: Response, next: NextFunction): void {
  // the UI listener runs this before the API it mounts runs it again: one id per request
  req.requestId ??= chooseRequestId(req.get('x-request-id'));
  res.setHeader('X-Request-Id', req.requestId);
  next();
}

interface RouteInfo {
  baseUrl: string;
  route?: { path?: unknown } | undefined;
  explicit?: string | undefined;
}

/**
 * The `route` label: the Express route template (`/api/orders/validate/:id`), never the raw
 * URL, so label values stay bounded; anything that matched no route is `unmatched`. The
 * mount path comes from the client's URL, whose letter case routing ignores: it is lower-
 * cased, so `/API/errors/500` can neither mint a series nor dodge a rule on `/api/errors/.*`.
 */
export function routeLabel(info: RouteInfo): string {
  if (info.explicit !== undefined) return info.explicit;
  const path = info.route?.path;
  if (typeof path !== 'string') return 'unmatched';
  const base = info.baseUrl.toLowerCase();
  const full = `${base}${path === '/' && base !== '' ? '' : path}`;
  return full === '' ? '/' : full;
}

declare module 'express-serve-static-core' {
  interface Locals {
    /** The mount path of the router that handled the request (req.baseUrl is reset on error). */
    mountPath?: string;
  }
}

/** A Router that remembers its mount path for the route label, even when a handler throws. */
export function newRouter(): Router {
  const r = Router();
  r.use((req: Request, res: Response, next: NextFunction) => {
    res.locals.mountPath = req.baseUrl;
    next();
  });
  return r;
}
