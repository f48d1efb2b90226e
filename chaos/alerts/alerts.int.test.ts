// Alert drills end to end on the shared lab (test/shared-lab.ts), after the integrity tests
// (which raise no alert) and before any drill runs on it: no earlier drill's alerts are still pending (each drill also lets pending
// alerts settle before it starts). For each alert CI rehearses,
// the fault raises it, Alertmanager delivers it to the lab's receiver within the rule's own
// bound, it resolves after the rollback, and nothing unrelated is notified. Then a weakened
// rule (a threshold no lab can reach, in a copy of prometheus/) must make its drill fail.
import { chmodSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_LAB_ENV } from '../../test/shared-lab.ts';

Object.assign(process.env, SHARED_LAB_ENV);

const { stackUp } = await import('../../stack/index.ts');
const { ComposeTarget, NodeSql, resolveLabConfig, REPO_ROOT } = await import('../../lab/index.ts');
const { findAlertDrill } = await import('./catalog.ts');
const { alertRules } = await import('./bounds.ts');
const { runAlertDrill, writeAlertReports } = await import('./runner.ts');

type Report = Awaited<ReturnType<typeof runAlertDrill>>;

const config = resolveLabConfig(process.env);
const target = new ComposeTarget(config.project);
const sql = new NodeSql(target, 'smartshop');
const reportDir = process.env.CI ? join(fileURLToPath(new URL('../..', import.meta.url)), 'reports', 'alert-drills') : mkdtempSync(join(tmpdir(), 'alert-drills-'));
const log = (line: string): void => { if (process.env.STACK_TEST_VERBOSE) console.log(line); };
const reports: Report[] = [];

async function drill(alert: string, rulesDir?: string): Promise<Report> {
  const d = findAlertDrill(alert);
  if (!d) throw new Error(`no alert drill ${alert}`);
  const r = await runAlertDrill({
    drill: d, target, sql, database: 'smartshop', reportDir,
    endpoints: { api: `http://127.0.0.1:${config.ports.api}`, prometheus: `http://127.0.0.1:${config.ports.prometheus}`, alertmanager: `http://127.0.0.1:${config.ports.console}/alertmanager`, console: `http://127.0.0.1:${config.ports.console}` },
    print: (l) => console.log(`[alert:${alert}] ${l}`),
    ...(rulesDir ? { rules: alertRules(rulesDir) } : {}),
  });
  reports.push(r);
  return r;
}

function expectPassed(r: Report): void {
  expect(r.failures).toEqual([]);
  expect(r.verdict).toBe('passed');
  expect(r.firedAfterSeconds).not.toBeNull();
  expect(r.firedAfterSeconds ?? Infinity).toBeLessThanOrEqual(r.bounds.fireSeconds);
  expect(r.resolvedAfterSeconds ?? Infinity).toBeLessThanOrEqual(r.bounds.resolveSeconds);
  expect(r.unrelated).toEqual([]);
  // the same journal as every drill: each phase recorded, in order, and none failed
  expect(r.phases.map((p) => [p.phase, p.outcome])).toEqual(['steady-state-hypothesis', 'method', 'rollbacks', 'recovery', 'judgement'].map((p) => [p, 'ok']));
}

beforeAll(async () => {
  // `stack up` starts the shared lab if the integrity tests have not (the drills find it up); removed after the run
  await stackUp(config, { build: false, timeoutMs: 420_000, log });
}, 900_000);

afterAll(async () => {
  if (reports.length) console.log(`alert drill reports: ${(await writeAlertReports(reportDir, reports)).md}`);
  delete process.env.LAB_PROMETHEUS_DIR;
}, 300_000);

describe('alert drills on a fresh lab', () => {
  // The shop's alerts hold for 5 minutes and clear over a 5-minute window: 9-11 minutes each,
  // more than CI's time allows beside the chaos drills; `make alert-drills` runs them. The
  // path they use (a fault flag to the shop's metrics, Prometheus to Alertmanager to the
  // console) is in the stack test; their rules in promtool's tests.
  it('HAProxyBackendServerDown: a stopped node pages once (its consequences inhibited), and resolves when it is back', async () => {
    const r = await drill('HAProxyBackendServerDown');
    expectPassed(r);
  }, 600_000);

  it('GaleraNodesDiverged: a row changed on one node reaches the receiver, and resolves once repaired', async () => {
    expectPassed(await drill('GaleraNodesDiverged'));
  }, 300_000);

  it('a weakened rule (GaleraNodesDiverged at a threshold no check can reach) fails its drill', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weakened-prometheus-'));
    cpSync(join(REPO_ROOT, 'prometheus'), dir, { recursive: true });
    chmodSync(dir, 0o755); // Prometheus' own user reads it in the container
    const file = join(dir, 'rules', 'infrastructure-alerts.yml');
    const rules = readFileSync(file, 'utf8');
    const weakened = rules.replace('expr: min by (table) (smartshop_cluster_consistent) == 0', 'expr: min by (table) (smartshop_cluster_consistent) < -1');
    expect(weakened).not.toBe(rules);
    writeFileSync(file, weakened);
    process.env.LAB_PROMETHEUS_DIR = dir;
    try {
      await stackUp(config, { build: false, timeoutMs: 300_000, log }); // recreates Prometheus on the copy
      const r = await drill('GaleraNodesDiverged', dir);
      expect(r.verdict).toBe('failed');
      expect(r.firedAfterSeconds).toBeNull();
      expect(r.failures.join(' ')).toMatch(/GaleraNodesDiverged did not reach the receiver within \d+ s/);
    } finally {
      delete process.env.LAB_PROMETHEUS_DIR;
      await stackUp(config, { build: false, timeoutMs: 300_000, log });
    }
  }, 600_000);
});
