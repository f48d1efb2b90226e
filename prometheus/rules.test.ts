// Runs promtool over the rule files and their unit tests, and checks that every alert has a
// runbook, a firing test and a quiet test. promtool comes from Debian's `prometheus` package:
// in CI it must be there (the test fails); on a workstation without it the promtool tests
// are skipped with a message.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { hostTool } from '../test/host-tool.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const rulesDir = join(root, 'prometheus', 'rules');
const testsDir = join(rulesDir, 'tests');
const ruleFiles = readdirSync(rulesDir).filter((f) => f.endsWith('.yml')).map((f) => join(rulesDir, f));
const testFiles = readdirSync(testsDir).filter((f) => f.endsWith('.yml')).map((f) => join(testsDir, f));

const promtoolTool = hostTool('promtool', 'prometheus');
const skipPromtool = promtoolTool.skip;

function promtool(args: string[]): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd: root, encoding: 'utf8', timeout: 60_000 });
  if (result.error) return { status: null, output: `promtool could not run: ${result.error.message}` };
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe.skipIf(skipPromtool)('promtool', () => {
  it('accepts every rule file', () => {
    const { status, output } = promtool(['check', 'rules', ...ruleFiles]);
    expect(status, output).toBe(0);
  });

  it('passes every rule unit test', () => {
    const { status, output } = promtool(['test', 'rules', ...testFiles]);
    expect(status, output).toBe(0);
  });
});

interface RuleFile {
  groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[];
}
interface TestFile {
  tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}

const alerts = ruleFiles.flatMap((file) =>
  (parse(readFileSync(file, 'utf8')) as RuleFile).groups.flatMap((g) => g.rules.filter((r) => r.alert !== undefined)),
);
const alertTests = testFiles.flatMap((file) => (parse(readFileSync(file, 'utf8')) as TestFile).tests.flatMap((t) => t.alert_rule_test ?? []));

describe('alert rules', () => {
  it('are the twenty the lab promises', () => {
    expect(alerts.map((a) => a.alert).sort()).toEqual([
      'BackupTooOld',
      'DeadLettersPresent',
      'EdgeRateLimitingHigh',
      'FulfilmentLagHigh',
      'FulfilmentNoConsumers',
      'GaleraClusterSizeDegraded',
      'GaleraNodeNotSynced',
      'GaleraNodesDiverged',
      'GaleraNonPrimary',
      'HAProxyBackendServerDown',
      'HAProxyDown',
      'MySQLDown',
      'OutboxBacklogOld',
      'RabbitMQNodeDown',
      'RabbitMQQuorumLost',
      'RabbitMQResourceAlarm',
      'ScrapeTargetDown',
      'SmartShopHighErrorRatio',
      'SmartShopHighLatencyP99',
      'SmartShopPaymentFailureRatioHigh',
    ]);
  });

  for (const rule of alerts) {
    const name = rule.alert ?? '';
    it(`${name} has a summary, a description and an existing runbook`, () => {
      expect(rule.annotations?.summary).toBeTruthy();
      expect(rule.annotations?.description).toBeTruthy();
      expect(rule.annotations?.runbook_url).toBe(`docs/runbooks/${name}.md`);
      expect(existsSync(join(root, 'docs', 'runbooks', `${name}.md`))).toBe(true);
    });

    it(`${name} has a promtool test where it fires and one where it stays quiet`, () => {
      const mine = alertTests.filter((t) => t.alertname === name);
      expect(mine.some((t) => (t.exp_alerts ?? []).length > 0)).toBe(true);
      expect(mine.some((t) => (t.exp_alerts ?? []).length === 0)).toBe(true);
    });
  }
});
