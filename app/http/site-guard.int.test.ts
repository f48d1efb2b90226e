// A web page in the user's browser against the real shop (in-process, real MariaDB, flags
// API on): a DNS-rebinding Host, a foreign Origin, a cross-site fetch and an empty text/plain
// POST are each refused with a JSON error and change nothing; the pages cannot be framed.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { startFlaggedShop, type Shop } from '../../test/shop.ts';
import { readFlagFile, resetFlags } from '../../shared/feature-flags/flag-file.ts';

let file: string;
let shop: Shop;

interface Raw { status: number; headers: Record<string, string | string[] | undefined>; body: unknown }

/** node:http, not fetch: fetch will not send a Host header of our choosing. */
function raw(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Raw> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path: url.pathname, headers, timeout: 10_000 }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // a page
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.end(body);
  });
}

async function users(): Promise<number> {
  const conn = await shop.db.rootConnection();
  try {
    const [rows] = await conn.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM smartshop.users');
    return Number(rows[0]?.n);
  } finally {
    await conn.end();
  }
}

const host = (base: string): string => new URL(base).host;
const paymentFailureFlag = { flags: { paymentFailure: 1 } };

beforeAll(async () => {
  ({ shop, file } = await startFlaggedShop());
});
afterAll(async () => {
  await shop?.stop();
});

describe('a web page cannot use the shop behind the user', () => {
  it('PUT /api/flags with a DNS-rebinding Host is a 421 and changes nothing', async () => {
    const res = await raw(shop.uiUrl!, 'PUT', '/api/flags', { host: 'rebind.evil.example:3000', 'content-type': 'application/json' }, JSON.stringify(paymentFailureFlag));
    expect(res.status).toBe(421);
    expect(res.body).toMatchObject({ error: 'unknown_host' });
    expect((await readFlagFile(file)).paymentFailure).toBe(0);
  });

  it('PUT /api/flags with a foreign Origin, or marked cross-site by the browser, is a 403 and changes nothing', async () => {
    const foreign: Record<string, string>[] = [{ origin: 'http://evil.example' }, { origin: 'null' }, { origin: 'http://localhost:9999' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }];
    for (const extra of foreign) {
      const res = await raw(shop.baseUrl, 'PUT', '/api/flags', { host: host(shop.baseUrl), 'content-type': 'application/json', ...extra }, JSON.stringify(paymentFailureFlag));
      expect(res.status, JSON.stringify(extra)).toBe(403);
      expect(res.body).toMatchObject({ error: 'cross_site_request' });
    }
    expect((await readFlagFile(file)).paymentFailure).toBe(0);
  });

  it('the lab page itself (same origin) may still flip a flag', async () => {
    const own = `http://${host(shop.uiUrl!)}`;
    const res = await raw(shop.uiUrl!, 'PUT', '/api/flags', { host: host(shop.uiUrl!), origin: own, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' }, JSON.stringify({ flags: { statsSlowQuery: 5 } }));
    expect(res.status).toBe(200);
    expect((await readFlagFile(file)).statsSlowQuery).toBe(5);
    await resetFlags(file);
  });

  it('POST /api/users/create as text/plain, or with no Content-Type, without a body is a 415 and creates nobody', async () => {
    const before = await users();
    for (const type of ['text/plain', undefined]) {
      // no Origin: the JSON rule alone, without the Origin check's help
      const headers: Record<string, string> = { host: host(shop.baseUrl), 'content-length': '0' };
      if (type !== undefined) headers['content-type'] = type;
      const res = await raw(shop.baseUrl, 'POST', '/api/users/create', headers);
      expect(res.status, String(type)).toBe(415);
      expect(res.body).toMatchObject({ error: 'unsupported_media_type' });
    }
    expect(await users()).toBe(before);
  });

  it('/ and lab.html cannot be framed and are not sniffed', async () => {
    for (const path of ['/', '/lab.html']) {
      const res = await raw(shop.uiUrl!, 'GET', path, { host: host(shop.uiUrl!) });
      expect(res.status, path).toBe(200);
      expect(res.headers['content-security-policy'], path).toMatch(/frame-ancestors 'none'/);
      expect(res.headers['x-frame-options'], path).toBe('DENY');
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
    }
  });

  it('a page under an unknown Host name is a JSON 421; localhost, an IP and the configured names are answered', async () => {
    const refused = await raw(shop.uiUrl!, 'GET', '/lab.html', { host: 'rebind.evil.example' });
    expect(refused.status).toBe(421);
    expect(refused.body).toMatchObject({ error: 'unknown_host' });
    const port = new URL(shop.baseUrl).port;
    for (const h of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `LOCALHOST.:${port}`]) {
      expect((await raw(shop.baseUrl, 'GET', '/api/health', { host: h })).status, h).toBe(200);
    }
  });
});
