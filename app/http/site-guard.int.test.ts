// A web page in the user's browser against the real shop (in-process, real MariaDB): a
// DNS-rebinding Host, a foreign Origin, a cross-site fetch and an empty text/plain POST are
// each refused with a JSON error and change nothing; the page cannot be framed. (The same
// guard in front of the console's fault flags: console/console.int.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { startShop, type Shop } from '../../test/shop.ts';
import { rawRequest as raw } from '../../test/client.ts';

let shop: Shop;

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
const aUser = JSON.stringify({ name: 'Mallory', email: 'mallory@example.com' });

beforeAll(async () => {
  shop = await startShop();
});
afterAll(async () => {
  await shop?.stop();
});

describe('a web page cannot use the shop behind the user', () => {
  it('POST /api/users/create with a DNS-rebinding Host is a 421 and creates nobody', async () => {
    const before = await users();
    const res = await raw(shop.uiUrl!, 'POST', '/api/users/create', { host: 'rebind.evil.example:3000', 'content-type': 'application/json' }, aUser);
    expect(res.status).toBe(421);
    expect(res.body).toMatchObject({ error: 'unknown_host' });
    expect(await users()).toBe(before);
  });

  it('a write with a foreign Origin, or marked cross-site by the browser, is a 403 and creates nobody', async () => {
    const before = await users();
    const foreign: Record<string, string>[] = [{ origin: 'http://evil.example' }, { origin: 'null' }, { origin: 'http://localhost:9999' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }];
    for (const extra of foreign) {
      const res = await raw(shop.baseUrl, 'POST', '/api/users/create', { host: host(shop.baseUrl), 'content-type': 'application/json', ...extra }, aUser);
      expect(res.status, JSON.stringify(extra)).toBe(403);
      expect(res.body).toMatchObject({ error: 'cross_site_request' });
    }
    expect(await users()).toBe(before);
  });

  it('the shop\'s own page (same origin) may still write', async () => {
    const own = `http://${host(shop.uiUrl!)}`;
    const res = await raw(shop.uiUrl!, 'POST', '/api/users/create', { host: host(shop.uiUrl!), origin: own, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' }, aUser);
    expect(res.status).toBe(201);
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

  it('/ cannot be framed and is not sniffed', async () => {
    for (const path of ['/', '/index.html']) {
      const res = await raw(shop.uiUrl!, 'GET', path, { host: host(shop.uiUrl!) });
      expect(res.status, path).toBe(200);
      expect(res.headers['content-security-policy'], path).toMatch(/frame-ancestors 'none'/);
      expect(res.headers['x-frame-options'], path).toBe('DENY');
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
    }
  });

  it('a page under an unknown Host name is a JSON 421; localhost, an IP and the configured names are answered', async () => {
    const refused = await raw(shop.uiUrl!, 'GET', '/index.html', { host: 'rebind.evil.example' });
    expect(refused.status).toBe(421);
    expect(refused.body).toMatchObject({ error: 'unknown_host' });
    const port = new URL(shop.baseUrl).port;
    for (const h of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `LOCALHOST.:${port}`]) {
      expect((await raw(shop.baseUrl, 'GET', '/api/health', { host: h })).status, h).toBe(200);
    }
  });
});
