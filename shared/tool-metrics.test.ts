import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { serveToolMetrics, type ToolMetricsServer } from './tool-metrics.ts';

function get(options: { socketPath: string } | { host: string; port: number }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ ...options, path: '/metrics' }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function registry(): Registry {
  const r = new Registry();
  new Counter({ name: 'tool_things_total', help: 'things', registers: [r] }).inc(3);
  return r;
}

const open: ToolMetricsServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe('a host tool\'s metrics', () => {
  it('listen on loopback and on the lab socket (connectable by any user), and leave nothing behind', async () => {
    const socketPath = join(mkdtempSync(join(tmpdir(), 'tool-')), 'simulator.sock');
    const served = await serveToolMetrics(registry(), { port: 0, socketPath });
    open.push(served);
    expect(served.warnings).toEqual([]);
    expect(served.socketPath).toBe(socketPath);
    expect(statSync(socketPath).mode & 0o777).toBe(0o666);
    expect((await get({ host: '127.0.0.1', port: served.port ?? 0 })).body).toContain('tool_things_total 3');
    expect((await get({ socketPath })).body).toContain('tool_things_total 3');
    await served.close();
    expect(existsSync(socketPath)).toBe(false);
  });

  it('replace a socket left by a killed run, and warn instead of taking one that is in use', async () => {
    const socketPath = join(mkdtempSync(join(tmpdir(), 'tool-')), 'chaos.sock');
    writeFileSync(socketPath, ''); // what a SIGKILLed run leaves: a path nobody answers on
    const first = await serveToolMetrics(registry(), { socketPath });
    open.push(first);
    expect(first.socketPath).toBe(socketPath);
    const second = await serveToolMetrics(registry(), { socketPath });
    open.push(second);
    expect(second.socketPath).toBeUndefined();
    expect(second.warnings.join()).toMatch(/another run serves/);
    expect((await get({ socketPath })).status).toBe(200);
  });

  it('skip the socket when the lab has no folder for it (no lab from this checkout)', async () => {
    const served = await serveToolMetrics(registry(), { socketPath: '/nonexistent-lab/run/simulator.sock' });
    open.push(served);
    expect(served.socketPath).toBeUndefined();
    expect(served.warnings).toEqual([]);
  });
});
