// The lab console: one service for what a lab user drives and watches (the shop serves the
// shop). It builds the Express app without listening; console/server.ts runs it as the
// `console` service, the tests in-process.
//   GET  /                       the lab page (ui/): flags, nodes, HAProxy, drill, alerts,
//                                notifications, drill reports
//   GET/PUT /api/flags           the fault flags; the console writes the lab's flags file
//   GET  /api/lab                nodes, HAProxy, the drill's phase, alerts, notifications
//   GET  /api/charts             the last 15 minutes drawn from Prometheus (live-charts.ts)
//   GET  /api/reports, /reports/ the drill reports
//   POST /webhook, GET /notifications, GET /alertmanager/api/v2/alerts   Alertmanager's side
//   GET  /metrics, /health
// The flags, the lab view and the reports are off unless FLAGS_API_ENABLED, and answer this
// machine only; every route is behind the same site guard as the shop (no DNS rebinding,
// no cross-site writes, no framing) and takes JSON only for writes.
import { fileURLToPath } from 'node:url';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { Registry } from 'prom-client';
import { HttpError } from '../shared/web/http-error.ts';
import { isLocalPeer } from '../shared/web/local-peer.ts';
import { siteGuard } from '../shared/web/site-guard.ts';
import { bodyGuard } from '../shared/web/body-guard.ts';
import { createReceiver, type ReceiverOptions } from './receiver.ts';
import { flagsApi } from './flags-api.ts';
import { labView } from './lab-view.ts';
import { liveChartsApi } from './live-charts.ts';
import { reportsApi } from './reports.ts';

const UI_DIR = fileURLToPath(new URL('./ui/', import.meta.url));

export interface ConsoleOptions {
  receiver: ReceiverOptions;
  /** the lab's flags file (FLAGS_FILE), which this console writes */
  flagsFile?: string;
  /** the flags, the lab view and the reports (FLAGS_API_ENABLED); this machine only even then */
  labApiEnabled: boolean;
  /** where the lab view reads nodes, HAProxy, the drill and alerts (PROMETHEUS_URL) */
  prometheusUrl?: string;
  /** the drill reports' folder, read-only (REPORTS_DIR) */
  reportsDir?: string;
  /** host names answered besides IP literals and localhost (the service's own name) */
  allowedHosts: readonly string[];
}

/** Off unless enabled, and this machine only (shared/web/local-peer.ts). */
function labGuard(enabled: boolean) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (!enabled) next(new HttpError(404, 'lab_api_disabled', 'the console\'s flags, lab view and reports are disabled (set FLAGS_API_ENABLED=true); `smartshop flags` works without them'));
    else if (!isLocalPeer(req.socket.remoteAddress)) next(new HttpError(403, 'not_local', 'the console\'s flags, lab view and reports answer this machine only'));
    else next();
  };
}

/**
 * Body-parser and static-file errors carry a status: a client's mistake keeps its 4xx (with
 * the parser's own limit in a 413); everything else is a 500, logged, never shown.
 */
function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const e = err as { type?: unknown; status?: unknown; limit?: unknown };
  if (e.type === 'entity.too.large') return new HttpError(413, 'payload_too_large', `a request body is at most ${String(e.limit)} bytes here`);
  if (e.type === 'entity.parse.failed') return new HttpError(400, 'invalid_json', 'the body is not JSON');
  if (e.type === 'encoding.invalid_utf8') return new HttpError(400, 'invalid_utf8', 'the body is not valid UTF-8');
  if (e.status === 404) return new HttpError(404, 'not_found', 'no such file');
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return new HttpError(e.status, 'bad_request', `request refused (${typeof e.type === 'string' ? e.type : e.status})`);
  return new HttpError(500, 'internal_error', 'the console failed to answer');
}

export async function createConsole(o: ConsoleOptions): Promise<Express> {
  const registry = new Registry();
  const receiver = await createReceiver(o.receiver, registry);
  const guard = labGuard(o.labApiEnabled);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(siteGuard([...o.allowedHosts]));
  app.use(bodyGuard());
  app.use(express.static(UI_DIR, { index: 'index.html', maxAge: 0 }));
  app.use(receiver.router);
  app.use('/api/flags', guard, flagsApi(o.flagsFile));
  app.use('/api/lab', guard, labView(o.prometheusUrl, receiver.notifications));
  app.use('/api/charts', guard, liveChartsApi(o.prometheusUrl));
  app.use(['/api/reports', '/reports'], guard);
  // a report's files only, as regular files (console/reports.ts)
  app.use(reportsApi(o.reportsDir));
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', kept: receiver.notifications.length });
  });
  app.use((_req, _res, next) => {
    next(new HttpError(404, 'not_found', 'the console serves /, /api/flags, /api/lab, /api/charts, /api/reports, /reports/…, POST /webhook, /notifications, /alertmanager/api/v2/alerts, /metrics, /health'));
  });
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const e = toHttpError(err);
    if (e.status >= 500) console.error(JSON.stringify({ level: 'error', msg: (err as Error).message, stack: (err as Error).stack }));
    res.status(e.status).set(e.headers).json({ error: e.code, message: e.message });
  });
  return app;
}
