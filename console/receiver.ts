// The console's Alertmanager receiver: every notification Alertmanager sends to its webhook
// is kept (a JSON-lines file on a volume, rotated by size, and the newest in memory) so that
// tests, alert drills and the lab page can read what reached someone:
//   POST /webhook                     Alertmanager's webhook (version 4), with its bearer token
//                                     (a body over 256 KiB: 413)
//   GET  /notifications?since=&alertname=&status=&limit=   what was received, oldest first
//   GET  /alertmanager/api/v2/alerts?filter=...   Alertmanager's alerts (read-only; for the
//                                     alert drills, since Alertmanager is not published)
import { readFileSync, readdirSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { Counter, type Registry } from 'prom-client';
import { parse as parseYaml } from 'yaml';
import { verifyUtf8 } from '../shared/web/body-guard.ts';
import { parseWebhook, selectNotifications, type Notification } from './notifications.ts';
import { NotificationLog } from './notification-log.ts';

/** The metric's label for an alert name that no rule file defines: one series for them all. */
export const OTHER_ALERT = 'other';

export interface ReceiverOptions {
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

export interface Receiver {
  router: Router;
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
    else res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'unauthorized', message: 'POST /webhook takes Alertmanager\'s bearer token (ALERT_WEBHOOK_TOKEN)' });
  };
}

export async function createReceiver(options: ReceiverOptions, registry: Registry): Promise<Receiver> {
  const { token, knownAlerts, maxKept = 10_000, warn = (m: string) => console.error(JSON.stringify({ level: 'warn', msg: m })) } = options;
  if (token.length < 16) throw new Error('the webhook token must be at least 16 characters (ALERT_WEBHOOK_TOKEN; `make up` writes one into .env)');
  const log = options.file === undefined ? undefined : new NotificationLog(options.file, {
    maxFileBytes: options.maxFileBytes ?? 16 * 1024 * 1024,
    keep: options.keepFiles ?? 3,
    // what is read back is what memory keeps: at most maxKept notifications of ~1 KiB
    maxReadBytes: maxKept * 1024,
    warn,
  });
  const notifications: Notification[] = log === undefined ? [] : (await log.load()).slice(-maxKept);
  const received = new Counter({
    name: 'console_alert_notifications_total',
    help: `Alert notifications received from Alertmanager, by alert (names no rule defines: "${OTHER_ALERT}") and status`,
    labelNames: ['alertname', 'status'] as const,
    registers: [registry],
  });

  const r = express.Router();
  r.post('/webhook', bearer(token), express.json({ limit: options.bodyLimit ?? '256kb', verify: verifyUtf8 }), async (req, res) => {
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
  r.get('/notifications', (req, res) => {
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
  r.get('/alertmanager/api/v2/alerts', async (req, res) => {
    if (options.alertmanagerUrl === undefined) {
      res.status(404).json({ error: 'no_alertmanager', message: 'this console reads no Alertmanager (ALERTMANAGER_URL)' });
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
  return { router: r, notifications };
}
