// GET /console: the web UI's "Lab console" link. The console (fault flags, nodes, alerts,
// drill reports) is a service of its own (console/); the shop only knows where the user's
// browser finds it (CONSOLE_URL), and says so plainly when it is not in a lab.
import type { RequestHandler } from 'express';
import { HttpError } from '../../shared/web/http-error.ts';

export function consoleLink(consoleUrl: string | undefined): RequestHandler {
  return (_req, res, next) => {
    if (consoleUrl === undefined) next(new HttpError(404, 'no_console', 'this shop runs outside a lab: no console (CONSOLE_URL) to send you to; `make up` starts one'));
    else res.redirect(302, `${consoleUrl}/`);
  };
}
