// What keeps a web page in the user's browser from using the shop (and the lab page's fault
// switches) behind the user's back:
// - DNS rebinding: a page at rebind.evil.example re-points its name at 127.0.0.1 and is then
//   "same origin" with the shop. The browser still sends `Host: rebind.evil.example`, so only
//   the names the shop is served under are answered (421 otherwise). An IP literal is always
//   accepted: a page cannot make the browser send one for a name it controls, and health
//   checks address the shop by IP (or send no Host at all, which no browser does).
// - Cross-site writes: a state-changing request whose Origin is not the shop's own, or that
//   the browser marks as cross-site (Sec-Fetch-Site), is refused (403) before any route runs.
// - Framing: helmet's headers with `frame-ancestors 'none'` and `X-Frame-Options: DENY`, so
//   no page can frame the lab page and trick a click on a toggle.
// The JSON-only rule for state-changing requests (no simple cross-site POST) is body-guard.ts.
import { isIP } from 'node:net';
import type { Request, Response, NextFunction, RequestHandler } from 'express';
import helmet from 'helmet';
import { HttpError } from './http-error.ts';

/** Names always answered: this machine's. Others come from ALLOWED_HOSTS (app/config.ts). */
const LOCAL_HOST_NAMES: readonly string[] = ['localhost'];

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** POST, PUT, PATCH, DELETE and anything else that is not a read. */
export const isStateChanging = (method: string): boolean => !SAFE_METHODS.has(method);

/** The host name of a Host header or an Origin's authority, lower case, without port or brackets. */
export function hostName(authority: string): string {
  const a = authority.trim().toLowerCase();
  if (a.startsWith('[')) return a.slice(1, a.indexOf(']') > 0 ? a.indexOf(']') : undefined);
  const colon = a.lastIndexOf(':');
  return colon >= 0 && a.indexOf(':') === colon ? a.slice(0, colon) : a;
}

export function isAllowedHost(authority: string | undefined, allowed: ReadonlySet<string>): boolean {
  // no Host at all: an HTTP/1.0 probe (HAProxy's httpchk), never a browser
  if (authority === undefined || authority === '') return true;
  const name = hostName(authority);
  return isIP(name) !== 0 || allowed.has(name.replace(/\.$/, ''));
}

/** Why a state-changing request must be refused as cross-site, or undefined when it may pass. */
export function crossSiteReason(method: string, headers: { origin?: string; host?: string; fetchSite?: string }): string | undefined {
  if (!isStateChanging(method)) return undefined;
  const site = headers.fetchSite?.toLowerCase();
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `the browser marks this request ${site}`;
  const origin = headers.origin;
  if (origin === undefined) return undefined; // not a browser, or a same-origin GET-like navigation
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return `Origin ${origin.slice(0, 80)} is not this site`;
  }
  if (headers.host === undefined || url.host.toLowerCase() !== headers.host.trim().toLowerCase()) {
    return `Origin ${url.origin.slice(0, 80)} is not this site`;
  }
  return undefined;
}

export function siteGuard(allowedHosts: readonly string[]): RequestHandler[] {
  const allowed = new Set([...LOCAL_HOST_NAMES, ...allowedHosts.map((h) => h.toLowerCase())]);
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'frame-ancestors': ["'none'"],
        // served over plain http on this machine: nothing to upgrade to
        'upgrade-insecure-requests': null,
      },
    },
    xFrameOptions: { action: 'deny' },
    // plain http on loopback: a browser ignores HSTS there, and it would say something untrue
    strictTransportSecurity: false,
  });
  const hostAndOrigin = (req: Request, _res: Response, next: NextFunction): void => {
    const host = req.headers.host;
    if (!isAllowedHost(host, allowed)) {
      next(new HttpError(421, 'unknown_host', `this server does not answer for the host name ${String(host ?? '').slice(0, 80)}; add it to ALLOWED_HOSTS if it is really yours`));
      return;
    }
    const reason = crossSiteReason(req.method, { origin: req.get('origin'), host, fetchSite: req.get('sec-fetch-site') });
    if (reason !== undefined) {
      next(new HttpError(403, 'cross_site_request', `${reason}: state-changing requests are accepted from this site only`));
      return;
    }
    next();
  };
  return [headers, hostAndOrigin];
}
