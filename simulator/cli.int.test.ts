// `smartshop simulate` as a child process, headless, against the real shop: the --json
// summary parses and its counts agree with the shop's own /metrics; bad arguments and an
// unreachable target give clear messages and non-zero exit codes.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useShop } from '../test/use-shop.ts';
import type { RunSummary } from './index.ts';
import { scrape, type Sample } from './testing.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], timeoutMs = 90_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/smartshop.js', 'simulate', ...args], { cwd: root, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** http_requests_total per "METHOD route" and per status, leaving out the probe and the scrapes */
function serverCounts(samples: Sample[]): { byStatus: Map<string, number>; byRoute: Map<string, number> } {
  const byStatus = new Map<string, number>();
  const byRoute = new Map<string, number>();
  for (const s of samples) {
    if (s.name !== 'http_requests_total') continue;
    const route = s.labels.route ?? '';
    if (route === '/api/health' || route.endsWith('/metrics')) continue;
    const status = s.labels.status_code ?? '';
    byStatus.set(status, (byStatus.get(status) ?? 0) + s.value);
    const key = `${s.labels.method} ${route}`;
    byRoute.set(key, (byRoute.get(key) ?? 0) + s.value);
  }
  return { byStatus, byRoute };
}

const shop = useShop({ ui: false });

describe('smartshop simulate (CLI)', () => {
  it('prints a JSON summary whose counts agree with the shop’s http_requests_total', async () => {
    const before = serverCounts(await scrape(shop.baseUrl));
    const res = await cli(['--mode', 'intensive', '--cycles', '40', '--concurrency', '8', '--error-rate', '0.1', '--seed', '11', '--target', shop.baseUrl, '--metrics-port', '0', '--json']);
    expect(res.stderr).not.toMatch(/Error|at .*\.ts:\d+/);
    expect(res.code).toBe(0);
    const summary = JSON.parse(res.stdout) as RunSummary; // stdout is exactly one JSON document
    expect(summary.mode).toBe('intensive');
    expect(summary.stopReason).toBe('cycles');
    expect(summary.journeys.started).toBe(40);
    expect(summary.requests.total).toBeGreaterThan(400);
    expect(summary.requests.timeouts + summary.requests.connectionErrors).toBe(0);

    const after = serverCounts(await scrape(shop.baseUrl));
    for (const [status, n] of Object.entries(summary.requests.byOutcome)) {
      expect({ status, server: (after.byStatus.get(status) ?? 0) - (before.byStatus.get(status) ?? 0) }).toEqual({ status, server: n });
    }
    // the shop's route label is the route template, like the simulator's endpoint label
    let compared = 0;
    for (const [endpoint, ep] of Object.entries(summary.endpoints)) {
      if (!after.byRoute.has(endpoint)) continue; // error routes may be labelled differently
      expect({ endpoint, server: (after.byRoute.get(endpoint) ?? 0) - (before.byRoute.get(endpoint) ?? 0) }).toEqual({ endpoint, server: ep.requests });
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(9); // users ×4, products, stats, orders create/validate/process, payments
  });

  it('a load-test profile: an impossible threshold exits 1 and is named in the JUnit file; a reachable one exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loadtest-'));
    const base = ['--profile', 'smoke', '--duration', '4s', '--rate', '3', '--seed', '5', '--target', shop.baseUrl, '--metrics-port', '0'];
    const crossed = await cli([...base, '--threshold', 'http_req_duration:p(95)<0.001', '--threshold', 'http_req_failed:rate<0.5', '--junit', join(dir, 'crossed.xml')]);
    expect(crossed.code).toBe(1);
    expect(crossed.stderr).toMatch(/1 of 2 threshold\(s\) crossed: http_req_duration:p\(95\)<0.001/);
    expect(crossed.stdout).toMatch(/✗ http_req_duration:p\(95\)<0.001: [\d.]+ ms/);
    const xml = readFileSync(join(dir, 'crossed.xml'), 'utf8');
    expect(xml).toMatch(/<testsuites name="loadtest" tests="\d+" failures="1"/); // the smoke profile checks every endpoint first, then the 2 thresholds
    expect(xml).toContain('name="GET /api/health answers 2xx"');
    expect(xml).toMatch(/<testcase [^>]*name="http_req_duration:p\(95\)&lt;0.001"[^>]*>\s*<failure /);

    const passed = await cli([...base, '--threshold', 'http_req_duration:p(95)<60000', '--threshold', 'journeys_completed:rate>0.5', '--junit', join(dir, 'passed.xml'), '--html', join(dir, 'passed.html'), '--json']);
    expect(passed.stderr).not.toMatch(/crossed/);
    expect(passed.code).toBe(0);
    const summary = JSON.parse(passed.stdout) as RunSummary & { thresholds: { threshold: string; ok: boolean; observed: number }[] };
    expect(summary.mode).toBe('profile smoke');
    expect(summary.journeys.started).toBe(12); // 3/s for 4 s
    expect(summary.thresholds.map((t) => t.ok)).toEqual([true, true]);
    expect(summary.thresholds[0]?.observed).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'passed.xml'), 'utf8')).toMatch(/<testsuites name="loadtest" tests="\d+" failures="0"/);
    // the HTML report: every request drawn (no thinning at this size), the latency limit as a line, the verdicts
    const html = readFileSync(join(dir, 'passed.html'), 'utf8');
    expect(html).toContain('every threshold met');
    expect(html.match(/aria-roledescription="point"/g)?.length).toBe(summary.requests.total);
    expect(html).toContain('aria-label="http_req_duration:p(95)&lt;60000"');
    expect(html).toMatch(/lane: stages; [^"]*state: 1: → 3\/s/);
  });

  it('rejects bad arguments with a clear message and exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--rate', '0'], /--rate must be a number greater than 0/],
      [['--payment-success', '1.5'], /--payment-success must be a number between 0 and 1/],
      [['--duration', 'soon'], /--duration must be a duration like 30s, 2m or 1h/],
      [['--target', 'ftp://x'], /--target must be an http\(s\) URL/],
      [['--profile', 'smoke', '--threshold', 'http_req_duration<5'], /--threshold "http_req_duration<5" is not/],
    ];
    for (const [args, message] of cases) {
      const res = await cli([...args, '--metrics-port', '0'], 20_000);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(message);
    }
  });

  it('exits 3 and says how to start the lab when the target never answers', async () => {
    const res = await cli(['--cycles', '3', '--target', 'http://127.0.0.1:9', '--metrics-port', '0', '--json'], 30_000);
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('http://127.0.0.1:9');
    expect(res.stderr).toContain('make up');
    expect(res.stdout).toBe('');
  });
});
