// "Test the API" pointed at the edge: its 429 is waited out and the request sent again, so a
// check through a rate-limited edge reports the shop's answers, not the edge's refusals.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../shared/http-client.ts';
import { QUOTA_EXCEEDED } from '../shared/rate-limit.ts';
import { checkApi } from './api-check.ts';

describe('checkApi behind a rate limit', () => {
  const seen: string[] = [];
  const at: number[] = [];
  let server: Server;
  let base = '';
  beforeAll(async () => {
    // the first GET / and the first user creation are refused as the edge refuses (its
    // problem type, Retry-After); every other request gets an empty JSON object
    server = createServer((req, res) => {
      const line = `${req.method} ${req.url}`;
      const first = !seen.some((s) => s.startsWith(`${line} `));
      seen.push(`${line} ${String(req.headers['idempotency-key'] ?? '')}`);
      at.push(Date.now());
      if (first && (line === 'GET /' || line === 'POST /api/users/create')) {
        res.writeHead(429, { 'content-type': 'application/problem+json', 'retry-after': '1' });
        res.end(JSON.stringify({ type: QUOTA_EXCEEDED, title: 'Too Many Requests', status: 429 }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("waits the edge's Retry-After and reports the answer of the request sent again", async () => {
    const results = await checkApi(new HttpClient({ baseUrl: base }));
    expect(seen.slice(0, 2)).toEqual(['GET / ', 'GET / ']);
    // sent again after the Retry-After of 1 s, not at once
    expect((at[1] ?? 0) - (at[0] ?? 0)).toBeGreaterThanOrEqual(950);
    expect(results[0]).toMatchObject({ method: 'GET', path: '/', got: '200', pass: true });
    // one retry per refusal: every other check was sent once
    expect(seen.filter((s) => s.startsWith('GET /api/health')).length).toBe(1);
  });

  it('sends a refused write again with the same Idempotency-Key', () => {
    const creates = seen.filter((s) => s.startsWith('POST /api/users/create'));
    expect(creates).toHaveLength(2);
    expect(creates[0]).toMatch(/ api-check-\d+-\d+$/);
    expect(creates[1]).toBe(creates[0]);
  });
});
