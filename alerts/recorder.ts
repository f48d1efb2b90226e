// The lab's own Alertmanager receiver: every notification Alertmanager sends to its webhook
// is kept (a JSON-lines file on a volume, and the last MAX_KEPT in memory) so that tests,
// alert drills and the web UI can read what reached someone. Runs as the `alert-recorder`
// service from the shop's image (`node dist/alerts/recorder.js`):
//   POST /webhook                     Alertmanager's webhook (version 4)
//   GET  /notifications?since=&alertname=&status=&limit=   what was received, oldest first
//   GET  /metrics, /health
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import { Counter, Registry } from 'prom-client';
import { int, str } from '../shared/env.ts';
import { parseWebhook, selectNotifications, type Notification } from './notifications.ts';

const MAX_KEPT = 10_000;

export interface Recorder {
  app: Express;
  notifications: Notification[];
}

export async function createRecorder(file: string | undefined): Promise<Recorder> {
  const notifications: Notification[] = [];
  if (file !== undefined) {
    await mkdir(dirname(file), { recursive: true });
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(-MAX_KEPT)) {
      try {
        if (line.trim() !== '') notifications.push(JSON.parse(line) as Notification);
      } catch {
        // a line cut by a crash: skipped
      }
    }
  }
  const registry = new Registry();
  const received = new Counter({
    name: 'alert_recorder_notifications_total',
    help: 'Alert notifications received from Alertmanager, by alert and status',
    labelNames: ['alertname', 'status'] as const,
    registers: [registry],
  });

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));
  app.post('/webhook', async (req, res) => {
    const parsed = parseWebhook(req.body, new Date());
    if (typeof parsed === 'string') {
      res.status(400).json({ error: 'invalid_webhook', message: parsed });
      return;
    }
    if (file !== undefined) await appendFile(file, parsed.map((n) => `${JSON.stringify(n)}\n`).join(''));
    notifications.push(...parsed);
    if (notifications.length > MAX_KEPT) notifications.splice(0, notifications.length - MAX_KEPT);
    for (const n of parsed) received.inc({ alertname: n.alertname, status: n.status });
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
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', kept: notifications.length });
  });
  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found', message: 'POST /webhook, GET /notifications, /metrics, /health' });
  });
  return { app, notifications };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = int(process.env, 'PORT', 9099, 1, 65535);
  const host = str(process.env, 'HOST', '127.0.0.1');
  const file = str(process.env, 'NOTIFICATIONS_FILE', '/data/alerts/notifications.jsonl');
  const { app } = await createRecorder(file);
  app.listen(port, host, () => console.log(JSON.stringify({ msg: `alert recorder listening on ${host}:${port}, keeping ${file}` })));
}
