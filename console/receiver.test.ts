// The console's receiver as Alertmanager talks to it (the whole console in-process on a free
// port, a real file): what it is sent it keeps, survives a restart, and answers by alert and
// time; bad payloads get a 400; it takes posts with Alertmanager's token only, bounds
// bodies, metric series and its file.
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { OTHER_ALERT, type ReceiverOptions } from './receiver.ts';
import { createConsole } from './create-console.ts';
import type { Notification } from './notifications.ts';

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

const TOKEN = 'a-test-token-of-enough-length';
const KNOWN = new Set(['HAProxyBackendServerDown', 'GaleraNodesDiverged']);

async function start(file: string, options: Partial<ReceiverOptions> = {}): Promise<string> {
  const app = await createConsole({ receiver: { file, token: TOKEN, knownAlerts: KNOWN, warn: () => undefined, ...options }, labApiEnabled: false, allowedHosts: [] });
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((r) => server.once('listening', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const payload = (status: 'firing' | 'resolved', alertname: string) => ({
  version: '4', receiver: 'lab-console', status, groupKey: `{}:{alertname="${alertname}"}`, truncatedAlerts: 0,
  groupLabels: { alertname }, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://alertmanager:9093',
  alerts: [{ status, labels: { alertname, severity: 'warning', lab: 'smartshop' }, annotations: { summary: `${alertname} is ${status}` },
    startsAt: '2026-12-02T10:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: 'abc' }],
});

/** token '' sends no Authorization header */
const post = (base: string, body: unknown, token = TOKEN) =>
  fetch(`${base}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token === '' ? {} : { authorization: `Bearer ${token}` }) }, body: JSON.stringify(body) });
const tmpFile = (): string => join(mkdtempSync(join(tmpdir(), 'receiver-')), 'n.jsonl');

describe("the console's Alertmanager receiver", () => {
  it('keeps every notification, on disk too, and answers by alert, status and time', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'receiver-')), 'n.jsonl');
    let base = await start(file);
    const t0 = new Date().toISOString();
    expect((await post(base, payload('firing', 'HAProxyBackendServerDown'))).status).toBe(200);
    expect((await post(base, payload('firing', 'GaleraNodesDiverged'))).status).toBe(200);
    expect((await post(base, payload('resolved', 'HAProxyBackendServerDown'))).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('console_alert_notifications_total{alertname="GaleraNodesDiverged",status="firing"} 1');

    servers.splice(0).forEach((s) => s.close());
    base = await start(file); // a restart reads the file back
    const get = async (q: string): Promise<Notification[]> => ((await (await fetch(`${base}/notifications${q}`)).json()) as { notifications: Notification[] }).notifications;
    const all = await get('');
    expect(all.map((n) => `${n.alertname} ${n.status}`)).toEqual(['HAProxyBackendServerDown firing', 'GaleraNodesDiverged firing', 'HAProxyBackendServerDown resolved']);
    expect(all[0]).toMatchObject({ severity: 'warning', summary: 'HAProxyBackendServerDown is firing', labels: { lab: 'smartshop' } });
    expect((await get('?alertname=HAProxyBackendServerDown&status=resolved')).length).toBe(1);
    expect((await get(`?since=${encodeURIComponent(t0)}&limit=1`)).map((n) => n.alertname)).toEqual(['HAProxyBackendServerDown']);
    expect(await get('?since=2999-01-01T00:00:00Z')).toEqual([]);
  });

  it('refuses what is not an Alertmanager webhook, and bad queries, with a JSON error', async () => {
    const base = await start(join(mkdtempSync(join(tmpdir(), 'receiver-')), 'n.jsonl'));
    for (const body of [[], { version: '3', receiver: 'x', groupKey: 'g', alerts: [] }, { ...payload('firing', 'X'), alerts: [{ status: 'odd', labels: {} }] }]) {
      const res = await post(base, body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_webhook');
    }
    for (const q of ['?since=yesterday', '?status=pending', '?limit=0']) expect((await fetch(`${base}/notifications${q}`)).status).toBe(400);
    expect(((await (await fetch(`${base}/notifications`)).json()) as { notifications: unknown[] }).notifications).toEqual([]);
  });

  it('takes posts with the token only: none or a wrong one is a 401, and nothing is kept', async () => {
    const base = await start(tmpFile());
    for (const token of ['', 'wrong', `${TOKEN}x`]) expect((await post(base, payload('firing', 'GaleraNodesDiverged'), token)).status).toBe(401);
    expect(((await (await fetch(`${base}/notifications`)).json()) as { notifications: unknown[] }).notifications).toEqual([]);
  });

  it('answers a 2 MB post with a JSON 413', async () => {
    const base = await start(tmpFile());
    const big = payload('firing', 'GaleraNodesDiverged');
    big.alerts[0]!.annotations.summary = 'x'.repeat(2 * 1024 * 1024);
    const res = await post(base, big);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toBe('payload_too_large');
  });

  it('counts 2,000 alert names no rule defines under one series', async () => {
    const base = await start(tmpFile());
    for (let i = 0; i < 2_000; i += 100) {
      const batch = payload('firing', 'X');
      batch.alerts = Array.from({ length: 100 }, (_, j) => ({ ...payload('firing', `Unknown${i + j}`).alerts[0]! }));
      expect((await post(base, batch)).status).toBe(200);
    }
    const series = (await (await fetch(`${base}/metrics`)).text()).split('\n').filter((l) => l.startsWith('console_alert_notifications_total{'));
    expect(series).toEqual([`console_alert_notifications_total{alertname="${OTHER_ALERT}",status="firing"} 2000`]);
  });

  it('rotates its file at the size limit, keeps a bounded number, and reads back past a corrupt line', async () => {
    const file = tmpFile();
    const base = await start(file, { maxFileBytes: 4_096, keepFiles: 2 });
    for (let i = 0; i < 40; i++) expect((await post(base, payload('firing', 'GaleraNodesDiverged'))).status).toBe(200);
    const files = readdirSync(join(file, '..')).sort();
    expect(files).toEqual(['n.jsonl', 'n.jsonl.1', 'n.jsonl.2']);
    for (const f of files) expect(statSync(join(file, '..', f)).size).toBeLessThanOrEqual(4_096);
    expect(existsSync(`${file}.3`)).toBe(false);

    servers.splice(0).forEach((s) => s.close());
    writeFileSync(file, '{"cut by a cr', { flag: 'a' });
    const warnings: string[] = [];
    const again = await start(file, { maxFileBytes: 4_096, keepFiles: 2, warn: (m) => warnings.push(m) });
    const kept = ((await (await fetch(`${again}/notifications`)).json()) as { notifications: Notification[] }).notifications;
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.every((n) => n.alertname === 'GaleraNodesDiverged')).toBe(true);
    expect(warnings.join('\n')).toMatch(/not JSON/);
  });
});
