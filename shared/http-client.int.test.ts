// The HTTP client against small in-process servers on 127.0.0.1: it returns outcomes,
// it never throws for what the network does.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOutcome, HttpClient, HttpError } from './http-client.ts';

let server: Server;
let baseUrl: string;
const seen: { method?: string; headers: Record<string, unknown>; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method, headers: req.headers, body });
      if (req.url === '/json') res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":7}');
      else if (req.url === '/text') res.writeHead(503, { 'retry-after': '1' }).end('busy');
      else if (req.url === '/empty') res.writeHead(204).end();
      else if (req.url === '/hang') return; // never answers
      else res.writeHead(404).end('{"error":"not_found"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  baseUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('HttpClient', () => {
  it('sends JSON with headers and parses JSON answers', async () => {
    const http = new HttpClient({ baseUrl, headers: { 'x-run': 'a' } });
    const res = await http.post('/json', { a: 1 }, { headers: { 'idempotency-key': 'k1' } });
    expect(res).toMatchObject({ kind: 'response', status: 201, body: { id: 7 } });
    const last = seen.at(-1);
    expect(last?.method).toBe('POST');
    expect(last?.body).toBe('{"a":1}');
    expect(last?.headers).toMatchObject({ 'content-type': 'application/json', 'idempotency-key': 'k1', 'x-run': 'a' });
  });

  it('keeps non-JSON and empty bodies as text, headers readable', async () => {
    const http = new HttpClient({ baseUrl });
    const res = await http.get('text');
    expect(res.kind === 'response' && [res.status, res.body, res.text, res.headers.get('retry-after')]).toEqual([503, undefined, 'busy', '1']);
    const empty = await http.get('/empty');
    expect(empty).toMatchObject({ kind: 'response', status: 204, body: undefined, text: '' });
    expect(describeOutcome(res)).toBe('HTTP 503');
  });

  it('returns a timeout outcome', async () => {
    const res = await new HttpClient({ baseUrl, timeoutMs: 200 }).get('/hang');
    expect(res.kind).toBe('timeout');
    expect(describeOutcome(res)).toMatch(/^timeout after \d+ ms$/);
  });

  it('returns ECONNREFUSED for a closed port', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const addr = closed.address();
    await new Promise((r) => closed.close(r));
    const res = await new HttpClient({ baseUrl: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}` }).get('/');
    expect(res).toMatchObject({ kind: 'error', code: 'ECONNREFUSED' });
  });

  it('reports an abort by the caller as ABORTED, not as a timeout', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    const res = await new HttpClient({ baseUrl, timeoutMs: 5000 }).get('/hang', { signal: ctl.signal });
    expect(res).toMatchObject({ kind: 'error', code: 'ABORTED' });
  });

  it('getJsonOrThrow throws HttpError with the outcome on a non-2xx', async () => {
    const http = new HttpClient({ baseUrl });
    await expect(http.getJsonOrThrow('/json')).resolves.toEqual({ id: 7 });
    await expect(http.getJsonOrThrow('/missing')).rejects.toBeInstanceOf(HttpError);
  });
});
