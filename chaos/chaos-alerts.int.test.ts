// Alert drills end to end on the shared lab (test/shared-lab.ts), after the integrity tests
// (which raise no alert) and before any other drill runs on it, so that no earlier drill's
// alerts are still pending (each drill also lets the alerts it watches settle before it starts).
// They run through the one runner as every drill does: the same phases, journal and report;
// the alert is a judge beside the ledger (judge/alert.ts). For each alert CI rehearses, the
// fault raises it, Alertmanager delivers it to the lab console within the rule's own bound,
// it resolves after the rollback, and nothing unrelated is notified. Then a weakened rule (a
// threshold no lab can reach, in a copy of prometheus/) must make its drill fail.
import { chmodSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_LAB_ENV } from '../test/shared-lab.ts';

Object.assign(process.env, SHARED_LAB_ENV);

const { runDrill } = await import('./runner.ts');
const { REPO_ROOT } = await import('../lab/index.ts');
const { alertRules } = await import('./judge/alert-bounds.ts');
const { drillKit } = await import('./drill-test-kit.ts');
const { startLab, useLab, options } = drillKit(SHARED_LAB_ENV);

type Report = NonNullable<Awaited<ReturnType<typeof runDrill>>['report']>;
type Alert = Exclude<NonNullable<Report['alert']>, { error: string }>;

useLab();

async function alertDrill(alert: string, extra: Parameters<typeof options>[1] = {}): Promise<{ r: Report; a: Alert }> {
  const outcome = await runDrill(options(`alert:${alert}`, extra));
  const r = outcome.report;
  if (!r) throw new Error('no report');
  const a = r.alert;
  if (!a || 'error' in a) throw new Error(`the alert not judged: ${a ? a.error : 'missing'}`);
  console.log(`[alert:${alert}] verdict ${r.verdict.verdict}: ${r.verdict.reason}`);
  return { r, a };
}

function expectPassed({ r, a }: { r: Report; a: Alert }): void {
  expect(a.failures).toEqual([]);
  expect(r.verdict.failures).toEqual([]);
  expect(r.verdict.verdict).toBe('passed');
  expect(a.firedAfterSeconds).not.toBeNull();
  expect(a.firedAfterSeconds ?? Infinity).toBeLessThanOrEqual(a.bounds.fireSeconds);
  expect(a.resolvedAfterSeconds ?? Infinity).toBeLessThanOrEqual(a.bounds.resolveSeconds);
  expect(a.unrelated).toEqual([]);
  // the same journal as every drill: each phase recorded, in order, and none failed
  expect(r.phases.map((p) => [p.phase, p.outcome])).toEqual(['steady-state-hypothesis', 'method', 'rollbacks', 'recovery', 'judgement'].map((p) => [p, 'ok']));
  // the alert's moments on the drill's timeline, beside the fault's
  expect(r.timeline.events.filter((e) => e.kind === 'alert').length).toBeGreaterThanOrEqual(2);
}

describe('alert drills on the shared lab', () => {
  // The shop's alerts hold for 5 minutes and clear over a 5-minute window: 9-11 minutes each,
  // more than CI's time allows beside the chaos drills; `make alert-drills` runs them. The
  // path they use (a fault flag to the shop's metrics, Prometheus to Alertmanager to the
  // console) is in the stack test; their rules in promtool's tests.
  it('HAProxyBackendServerDown: a stopped node pages once (its consequences inhibited), and resolves when it is back', async () => {
    expectPassed(await alertDrill('HAProxyBackendServerDown'));
  }, 600_000);

  it('GaleraNodesDiverged: a row changed on one node reaches the console, and resolves once repaired', async () => {
    expectPassed(await alertDrill('GaleraNodesDiverged'));
  }, 300_000);

  it('RabbitMQNodeDown: a stopped broker node pages once, the queues go on with the other two, and it resolves when the node is back', async () => {
    expectPassed(await alertDrill('RabbitMQNodeDown'));
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
      await startLab(); // recreates Prometheus on the copy
      // no margin on the bound: a rule that can never fire fails any bound, and the drill
      // waits the whole bound (30 s less)
      const { r, a } = await alertDrill('GaleraNodesDiverged', { alertRules: alertRules(dir), alertMarginSeconds: 0 });
      expect(r.verdict.verdict).toBe('failed');
      expect(a.firedAfterSeconds).toBeNull();
      expect(a.failures.join(' ')).toMatch(/GaleraNodesDiverged did not reach the receiver within \d+ s/);
      expect(r.verdict.reason).toMatch(/GaleraNodesDiverged did not reach the receiver/);
    } finally {
      delete process.env.LAB_PROMETHEUS_DIR;
      await startLab();
    }
  }, 600_000);
});
