// The lab's own Alertmanager receiver: every notification Alertmanager sends to its webhook
// is kept (a JSON-lines file on a volume, rotated by size, and the newest in memory) so that
// tests, alert drills and the web UI can read what reached someone. Runs as the
// `alert-recorder` service from the shop's image (`node dist/alerts/recorder.js`):
//   POST /webhook                     Alertmanager's webhook (version 4), with its bearer token
//                                     (a body over 256 KiB: 413)
//   GET  /notifications?since=&alertname=&status=&limit=   what was received, oldest first
//   GET  /alertmanager/api/v2/alerts?filter=...   Alertmanager's alerts (read-only; for the
//                                     alert drills, since Alertmanager is not published)
//   GET  /metrics, /health
import { readFileSync, readdirSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { Counter, Registry } from 'prom-client';
import { parse as parseYaml } from 'yaml';
import { int, str } from '../shared/env.ts';
import { parseWebhook, selectNotifications, type Notification } from './notifications.ts';
import { NotificationLog } from './notification-log.ts';

/** The metric's label for an alert name that no rule file defines: one series for them all. */
export const OTHER_ALERT = 'other';

export interface RecorderOptions {
  /** the JSON-lines file; undefined keeps notifications in memory only */
  file?: string;
  /** POST /webhook needs `Authorization: Bearer <token>` (Alertmanager's http_config sends it) */
  token: string;
  /** alert names the rule files define; any other is counted under OTHER_ALERT */
  knownAlerts: ReadonlySet<string>;
  /** Alertmanager on the lab's network: GET /alertmanager/api/v2/alerts reads it for the
   * host (Alertmanager itself is not published: it answers any web page, CORS `*`) */
  alertmanagerUrl?: string;
  /** largest webhook body (express.json limit) */
  bodyLimit?: string;
  /** notifications kept in memory (the newest) */
  maxKept?: number;
  maxFileBytes?: number;
  keepFiles?: number;
  warn?: (message: string) => void;
}

export interface Recorder {
  app: Express;
  notifications: Notification[];
}

/** Every `alert:` name in the Prometheus rule files of a folder. */
export function alertNamesIn(dir: string): Set<string> {
  const names = new Set<string>();
  for (const entry of readdirSync(dir)) {
    if (!/\.ya?ml$/.test(entry)) continue;
    const doc = parseYaml(readFileSync(join(dir, entry), 'utf8')) as { groups?: { rules?: { alert?: unknown }[] }[] } | null;
    for (const group of doc?.groups ?? []) for (const rule of group.rules ?? []) if (typeof rule.alert === 'string') names.add(rule.alert);
  }
  return names;
}

function bearer(token: string) {
  const expected = Buffer.from(`Bearer ${token}`);
  return (req: Request, res: Response, next: NextFunction): void => {
    const given = Buffer.from(req.get('authorization') ?? '');
    if (given.length === expected.length && timingSafeEqual(given, expected)) next();
    else res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'unauthorized', message: 'POST /webhook takes Alertmanager\'s bearer token (ALERT_RECORDER_TOKEN)' });
  };
}

export async function createRecorder(options: RecorderOptions): Promise<Recorder> {
  const { token, knownAlerts, maxKept = 10_000, warn = (m: string) => console.error(JSON.stringify({ level: 'warn', msg: m })) } = options;
  if (token.length < 16) throw new Error('the recorder\'s token must be at least 16 characters (ALERT_RECORDER_TOKEN; `make up` writes one into .env)');
  const log = options.file === undefined ? undefined : new NotificationLog(options.file, {
    maxFileBytes: options.maxFileBytes ?? 16 * 1024 * 1024,
    keep: options.keepFiles ?? 3,
    // what is read back is what memory keeps: at most maxKept notifications of ~1 KiB
    maxReadBytes: maxKept * 1024,
    warn,
  });
  const notifications: Notification[] = log === undefined ? [] : (await log.load()).slice(-maxKept);
  const registry = new Registry();
  const received = new Counter({
    name: 'alert_recorder_notifications_total',
    help: `Alert notifications received from Alertmanager, by alert (names no rule defines: "${OTHER_ALERT}") and status`,
    labelNames: ['alertname', 'status'] as const,
    registers: [registry],
  });

  const app = express();
  app.disable('x-powered-by');
  app.post('/webhook', bearer(token), express.json({ limit: options.bodyLimit ?? '256kb' }), async (req, res) => {
    const parsed = parseWebhook(req.body, new Date());
    if (typeof parsed === 'string') {
      res.status(400).json({ error: 'invalid_webhook', message: parsed });
      return;
    }
    await log?.append(parsed);
    notifications.push(...parsed);
    if (notifications.length > maxKept) notifications.splice(0, notifications.length - maxKept);
    for (const n of parsed) received.inc({ alertname: knownAlerts.has(n.alertname) ? n.alertname : OTHER_ALERT, status: n.status });
    res.json({ recorded: parsed.length });
  });
  app.get('/notifications', (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const since = q.since === undefined ? undefined : new Date(q.since);
    if (since !== undefined && Number.isNaN(since.getTime())) {
      res.status(400).json({ error: 'invalid_since', message: 'since must be an ISO time, e.g. 2026-12-02T10:00:00Z' });
      return;
    }
    if (q.status !== undefined && q.status !== 'firing' && q.status !== 'resolved') {
      res.status(400).json({ error: 'invalid_status', message: 'status must be firing or resolved' });
      return;
    }
    const limit = q.limit === undefined ? undefined : Number(q.limit);
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
      res.status(400).json({ error: 'invalid_limit', message: 'limit must be a positive whole number' });
      return;
    }
    res.json({ notifications: selectNotifications(notifications, { since, alertname: q.alertname, status: q.status, limit }) });
  });
  app.get('/alertmanager/api/v2/alerts', async (req, res) => {
    if (options.alertmanagerUrl === undefined) {
      res.status(404).json({ error: 'no_alertmanager', message: 'this recorder reads no Alertmanager (ALERTMANAGER_URL)' });
      return;
    }
    const query = req.originalUrl.slice(req.path.length);
    const upstream = await fetch(`${options.alertmanagerUrl.replace(/\/+$/, '')}/api/v2/alerts${query}`, { signal: AbortSignal.timeout(5_000) }).catch((err: unknown) => err as Error);
    if (upstream instanceof Error) {
      res.status(502).json({ error: 'alertmanager_unreachable', message: `Alertmanager does not answer: ${upstream.message}` });
      return;
    }
    res.status(upstream.status).type('application/json').send(await upstream.text());
  });
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', kept: notifications.length });
  });
  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found', message: 'POST /webhook, GET /notifications, /metrics, /health' });
  });
  app.use((err: { type?: unknown }, _req: Request, res: Response, _next: NextFunction) => {
    if (err.type === 'entity.too.large') res.status(413).json({ error: 'payload_too_large', message: `a notification is at most ${options.bodyLimit ?? '256kb'}` });
    else if (err.type === 'entity.parse.failed') res.status(400).json({ error: 'invalid_json', message: 'the body is not JSON' });
    else res.status(500).json({ error: 'internal_error', message: 'the recorder failed to keep this notification' });
  });
  return { app, notifications };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = int(process.env, 'PORT', 9099, 1, 65535);
  const host = str(process.env, 'HOST', '127.0.0.1');
  const file = str(process.env, 'NOTIFICATIONS_FILE', '/data/alerts/notifications.jsonl');
  const rules = str(process.env, 'ALERT_RULES_DIR', '/etc/prometheus/rules');
  const token = str(process.env, 'ALERT_RECORDER_TOKEN', '');
  const alertmanagerUrl = process.env.ALERTMANAGER_URL?.trim() || undefined;
  const { app } = await createRecorder({ file, token, knownAlerts: alertNamesIn(rules), alertmanagerUrl });
  const server = app.listen(port, host, () => console.log(JSON.stringify({ msg: `alert recorder listening on ${host}:${port}, keeping ${file}` })));
  // a client that trickles its request cannot hold a socket for long
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.keepAliveTimeout = 65_000;
}
