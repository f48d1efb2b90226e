// The health check of the shop image's services (bin/healthcheck.sh), run against a real
// HTTP server, and the rule that made it: no container's health check starts Node (a Node
// start per check cost about 270 ms of CPU, every 5 s, in every shop, worker and console).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const script = new URL('../bin/healthcheck.sh', import.meta.url).pathname;
let server: Server;
let port: number;

function check(args: string[], env: Record<string, string> = {}): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(script, args, { stdio: 'ignore', env: { PATH: process.env.PATH ?? '', ...env } });
    child.on('exit', (code) => resolve(code));
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    res.statusCode = req.url === '/health' && req.headers.host === '127.0.0.1' ? 200 : 503;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('bin/healthcheck.sh', () => {
  it('is healthy when the path answers 200 (asked with an IP literal as Host: the shop refuses unknown names)', async () => {
    expect(await check(['/health', String(port)])).toBe(0);
  });
  it('is unhealthy on any other status', async () => {
    expect(await check(['/api/health', String(port)])).toBe(1);
  });
  it('is unhealthy when nothing listens', async () => {
    // a port that was just free: listened on, then closed (never this test's server's)
    const spare = createServer();
    await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
    const closed = (spare.address() as AddressInfo).port;
    await new Promise<void>((resolve) => spare.close(() => resolve()));
    expect(await check(['/health', String(closed)])).toBe(1);
  });
  it('takes the port from $PORT when none is given', async () => {
    expect(await check(['/health'], { PORT: String(port) })).toBe(0);
  });
});

describe('container health checks', () => {
  const files = ['../docker-compose.yml', '../swarm/docker-stack.yml'];
  it.each(files)('%s: no service checks its health by starting Node', (file) => {
    const doc = parse(readFileSync(new URL(file, import.meta.url), 'utf8'), { merge: true }) as { services: Record<string, { healthcheck?: { test?: string[] } }> };
    const nodeChecks = Object.entries(doc.services).filter(([, s]) => /(^|\s)node\s/.test((s.healthcheck?.test ?? []).join(' ')));
    expect(nodeChecks.map(([name]) => name)).toEqual([]);
  });
  it('the shop image checks itself with bin/healthcheck.sh', () => {
    const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');
    expect(dockerfile).toMatch(/HEALTHCHECK[^\n]*\\\n\s+CMD \["\/app\/bin\/healthcheck\.sh", "\/api\/health"\]/);
  });
});
