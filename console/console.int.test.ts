// The lab console in-process (a real flags file, a real reports folder) beside a real shop
// reading the same flags file (in-process, real MariaDB): the flags API writes the file and
// refuses bad values; the console's guard refuses DNS rebinding, cross-site writes, framing
// and other machines; the reports are listed and served, nothing else; and in Debian's
// Chromium, the shop's "Lab console" link opens the console, whose toggle breaks the shop's
// catalogue and puts it back.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { readFlagFile, resetFlags } from '../shared/feature-flags/flag-file.ts';
import { startShop, type Shop } from '../test/shop.ts';
import { launchChromium } from '../test/browser.ts';
import { rawRequest as raw, request } from '../test/client.ts';
import { createConsole, type ConsoleOptions } from './create-console.ts';

const flagsFile = join(mkdtempSync(join(tmpdir(), 'console-flags-')), 'flags.json');
const reportsDir = mkdtempSync(join(tmpdir(), 'console-reports-'));
const servers: Server[] = [];
let consoleUrl: string;
let shop: Shop;
let browser: Browser;

async function startConsole(options: Partial<ConsoleOptions> = {}): Promise<string> {
  const app = await createConsole({
    receiver: { token: 'a-test-token-of-enough-length', knownAlerts: new Set() },
    flagsFile, labApiEnabled: true, reportsDir, allowedHosts: [], ...options,
  });
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((r) => server.once('listening', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A drill report as chaos/report/write.ts names and shapes it (the fields the console reads). */
function writeDrillReport(folder: string, startedAt: string, drill: string, verdict: string, html: boolean): void {
  const dir = join(reportsDir, folder);
  mkdirSync(dir, { recursive: true });
  const stem = `${startedAt.replace(/[:.]/g, '-')}-${drill}`;
  writeFileSync(join(dir, `${stem}.json`), JSON.stringify({ drill, startedAt, verdict: { verdict, failures: [], deviations: [], reason: 'test' } }));
  writeFileSync(join(dir, `${stem}.md`), `# ${drill}\n`);
  if (html) writeFileSync(join(dir, `${stem}.html`), `<!doctype html><title>${drill}</title><h1>${drill} report</h1>`);
}

beforeAll(async () => {
  await resetFlags(flagsFile);
  writeDrillReport('chaos', '2026-12-04T10:00:00.000Z', 'galera-node-stop', 'passed', true);
  writeDrillReport('', '2026-12-04T11:00:00.000Z', 'haproxy-stop', 'failed', false);
  writeFileSync(join(reportsDir, 'secret.txt'), 'not a report');
  // a JSON that is not a drill report, and a link that looks like one but points elsewhere
  mkdirSync(join(reportsDir, 'loadtest'));
  writeFileSync(join(reportsDir, 'loadtest', 'load-summary.json'), '{"not": "a drill report"}');
  symlinkSync('/etc/hostname', join(reportsDir, 'chaos', '2026-12-04T09-00-00-000Z-galera-node-kill.json'));
  consoleUrl = await startConsole();
  shop = await startShop({ config: { flags: { file: flagsFile }, consoleUrl } });
  await shop.app.faultsReady;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  for (const s of servers) s.close();
  await shop?.stop();
});

const host = (base: string): string => new URL(base).host;

describe('the console\'s flags API', () => {
  it('PUT sets and resets the flags file; bad values get a 400 JSON error and change nothing', async () => {
    const set = await request<{ flags: { name: string; value: unknown; on: boolean }[] }>(consoleUrl, 'PUT', '/api/flags', { body: { flags: { statsSlowQuery: 50, slowResponses: { all: 5 } } } });
    expect(set.status).toBe(200);
    expect(set.body.flags.find((f) => f.name === 'statsSlowQuery')).toMatchObject({ value: 50, on: true });
    expect((await readFlagFile(flagsFile)).slowResponses).toEqual({ all: 5 });
    for (const body of [{ flags: { paymentFailure: 3 } }, { flags: { nope: 1 } }, { flags: 'x' }, { reset: 'yes' }]) {
      const bad = await request<{ error: string; message: string }>(consoleUrl, 'PUT', '/api/flags', { body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(typeof bad.body.message).toBe('string');
    }
    expect((await readFlagFile(flagsFile)).statsSlowQuery).toBe(50);
    const reset = await request<{ flags: { on: boolean }[] }>(consoleUrl, 'PUT', '/api/flags', { body: { reset: true } });
    expect(reset.body.flags.every((f) => !f.on)).toBe(true);
  });

  it('answers a client\'s mistake with its own 4xx, never a 500', async () => {
    const latin1 = await raw(consoleUrl, 'PUT', '/api/flags', { host: host(consoleUrl), 'content-type': 'application/json; charset=latin1' }, '{"reset": true}');
    expect([latin1.status, (latin1.body as { error?: string }).error]).toEqual([415, 'bad_request']);
    const big = await request<{ error: string; message: string }>(consoleUrl, 'PUT', '/api/flags', { rawBody: JSON.stringify({ flags: { slowResponses: { [`/${'x'.repeat(20_000)}`]: 5 } } }) });
    expect([big.status, big.body.error]).toEqual([413, 'payload_too_large']);
    expect(big.body.message).toMatch(/at most 10240 bytes/);
  });

  it('names a flags file the shop would refuse', async () => {
    writeFileSync(flagsFile, '{"flags": {"paymentFailure": ');
    try {
      const res = await request<{ refused: string | null }>(consoleUrl, 'GET', '/api/flags');
      expect(res.body.refused).toMatch(/not JSON.*keep the flags they had/);
    } finally {
      await resetFlags(flagsFile);
    }
  });

  it('is off unless enabled: the flags, the lab view and the reports answer 404', async () => {
    const off = await startConsole({ labApiEnabled: false });
    for (const path of ['/api/flags', '/api/lab', '/api/reports']) {
      const res = await request<{ error: string }>(off, 'GET', path);
      expect(res.status, path).toBe(404);
      expect(res.body.error).toBe('lab_api_disabled');
    }
    // the page itself and Alertmanager's side still answer
    expect((await fetch(`${off}/`)).status).toBe(200);
    expect((await fetch(`${off}/notifications`)).status).toBe(200);
  });
});

describe('a web page cannot flip the lab\'s faults behind the user', () => {
  const flag = JSON.stringify({ flags: { paymentFailure: 1 } });

  it('a DNS-rebinding Host is a 421, a foreign Origin or a cross-site fetch a 403, an empty text/plain PUT a 415; the file is untouched', async () => {
    const rebind = await raw(consoleUrl, 'PUT', '/api/flags', { host: 'rebind.evil.example:9095', 'content-type': 'application/json' }, flag);
    expect(rebind.status).toBe(421);
    expect(rebind.body).toMatchObject({ error: 'unknown_host' });
    for (const extra of [{ origin: 'http://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }] as Record<string, string>[]) {
      const res = await raw(consoleUrl, 'PUT', '/api/flags', { host: host(consoleUrl), 'content-type': 'application/json', ...extra }, flag);
      expect(res.status, JSON.stringify(extra)).toBe(403);
      expect(res.body).toMatchObject({ error: 'cross_site_request' });
    }
    const empty = await raw(consoleUrl, 'PUT', '/api/flags', { host: host(consoleUrl), 'content-type': 'text/plain', 'content-length': '0' });
    expect(empty.status).toBe(415);
    expect((await readFlagFile(flagsFile)).paymentFailure).toBe(0);
  });

  it('the console\'s own page (same origin) may flip a flag', async () => {
    const res = await raw(consoleUrl, 'PUT', '/api/flags', { host: host(consoleUrl), origin: consoleUrl, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' }, JSON.stringify({ flags: { statsSlowQuery: 5 } }));
    expect(res.status).toBe(200);
    expect((await readFlagFile(flagsFile)).statsSlowQuery).toBe(5);
    await resetFlags(flagsFile);
  });

  it('the page cannot be framed and is not sniffed', async () => {
    const res = await raw(consoleUrl, 'GET', '/', { host: host(consoleUrl) });
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('the drill reports', () => {
  it('are listed newest first with their verdicts, and served; nothing else in the folder is', async () => {
    const list = await request<{ reports: { drill: string; verdict: string; html: string | null; md: string; json: string }[] }>(consoleUrl, 'GET', '/api/reports');
    expect(list.status).toBe(200);
    expect(list.body.reports.map((r) => `${r.drill} ${r.verdict}`)).toEqual(['haproxy-stop failed', 'galera-node-stop passed']);
    const [, stop] = list.body.reports;
    expect(stop?.html).toBe('chaos/2026-12-04T10-00-00-000Z-galera-node-stop.html');
    const page = await fetch(`${consoleUrl}/reports/${stop?.html}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('galera-node-stop report');
    for (const path of ['/reports/secret.txt', '/reports/../flags.json', '/reports/chaos/missing.html', '/reports/loadtest/load-summary.json',
      '/reports/chaos/2026-12-04T09-00-00-000Z-galera-node-kill.json', '/reports/%2e%2e/secret.txt']) {
      const res = await raw(consoleUrl, 'GET', path, { host: host(consoleUrl) });
      expect(res.status, path).toBe(404);
      expect(typeof (res.body as { error?: unknown }).error, path).toBe('string');
    }
  });
});

describe('the lab console in a browser', () => {
  it('opens from the shop\'s link; a toggle fails the shop\'s catalogue, and puts it back', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(shop.uiUrl as string);
      await page.getByRole('link', { name: /Lab console/ }).click();
      await expect.poll(() => page.url(), { timeout: 15_000 }).toBe(`${consoleUrl}/`);
      const toggle = page.getByTestId('flag-productCatalogFailure');
      await expect.poll(() => toggle.isChecked(), { timeout: 15_000 }).toBe(false);
      expect((await request(shop.baseUrl, 'GET', '/api/products')).status).toBe(200);
      await toggle.check();
      await expect.poll(() => page.getByTestId('flags-result').textContent(), { timeout: 15_000 }).toBe('productCatalogFailure = true');
      expect((await readFlagFile(flagsFile)).productCatalogFailure).toBe(true);
      // the shop polls the file (twice a second): it fails its catalogue without being asked
      await expect.poll(async () => (await request(shop.baseUrl, 'GET', '/api/products')).status, { timeout: 5_000 }).toBe(500);
      await expect.poll(() => page.locator('tr[data-flag="productCatalogFailure"]').getAttribute('class'), { timeout: 15_000 }).toBe('on');
      await page.getByTestId('flag-productCatalogFailure').uncheck();
      await expect.poll(async () => (await request(shop.baseUrl, 'GET', '/api/products')).status, { timeout: 5_000 }).toBe(200);
      // outside a lab the page says where its cluster view would come from
      await expect.poll(() => page.getByTestId('drill').textContent(), { timeout: 15_000 }).toMatch(/not available: no Prometheus configured/);
      await expect.poll(() => page.getByTestId('reports').textContent(), { timeout: 15_000 }).toMatch(/galera-node-stop.*passed/);
    } finally {
      await page.close();
    }
  });
});
