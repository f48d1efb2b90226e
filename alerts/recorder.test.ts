// The recorder as Alertmanager talks to it (in-process on a free port, a real file): what it
// is sent it keeps, survives a restart, and answers by alert and time; bad payloads get a 400.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRecorder } from './recorder.ts';
import type { Notification } from './notifications.ts';

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function start(file: string): Promise<string> {
  const { app } = await createRecorder(file);
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((r) => server.once('listening', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const payload = (status: 'firing' | 'resolved', alertname: string) => ({
  version: '4', receiver: 'lab-recorder', status, groupKey: `{}:{alertname="${alertname}"}`, truncatedAlerts: 0,
  groupLabels: { alertname }, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://alertmanager:9093',
  alerts: [{ status, labels: { alertname, severity: 'warning', lab: 'smartshop' }, annotations: { summary: `${alertname} is ${status}` },
    startsAt: '2026-12-02T10:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: 'abc' }],
});

const post = (base: string, body: unknown) => fetch(`${base}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the alert recorder', () => {
  it('keeps every notification, on disk too, and answers by alert, status and time', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'recorder-')), 'n.jsonl');
    let base = await start(file);
    const t0 = new Date().toISOString();
    expect((await post(base, payload('firing', 'HAProxyBackendServerDown'))).status).toBe(200);
    expect((await post(base, payload('firing', 'GaleraNodesDiverged'))).status).toBe(200);
    expect((await post(base, payload('resolved', 'HAProxyBackendServerDown'))).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('alert_recorder_notifications_total{alertname="GaleraNodesDiverged",status="firing"} 1');

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
    const base = await start(join(mkdtempSync(join(tmpdir(), 'recorder-')), 'n.jsonl'));
    for (const body of [[], { version: '3', receiver: 'x', groupKey: 'g', alerts: [] }, { ...payload('firing', 'X'), alerts: [{ status: 'odd', labels: {} }] }]) {
      const res = await post(base, body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_webhook');
    }
    for (const q of ['?since=yesterday', '?status=pending', '?limit=0']) expect((await fetch(`${base}/notifications${q}`)).status).toBe(400);
    expect(((await (await fetch(`${base}/notifications`)).json()) as { notifications: unknown[] }).notifications).toEqual([]);
  });
});
