// Alertmanager's configuration, checked with Debian's amtool: it loads, every alert routes to
// the lab console, and the inhibitions name alerts that exist and keep the ones the alert
// drills must see delivered (a node out of HAProxy's rotation is the page for a node down).
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { hostTool } from '../test/host-tool.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const config = join(root, 'alertmanager', 'alertmanager.yml');
const amtoolTool = hostTool('amtool', 'prometheus-alertmanager', ['--version']);

function amtool(args: string[]): { status: number | null; output: string } {
  const r = spawnSync('amtool', args, { cwd: root, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, output: r.status === 0 ? r.stdout : `${r.stdout}${r.stderr}` };
}

const rulesDir = join(root, 'prometheus', 'rules');
const alertNames = readdirSync(rulesDir).filter((f) => f.endsWith('-alerts.yml')).flatMap((f) =>
  (parse(readFileSync(join(rulesDir, f), 'utf8')) as { groups: { rules: { alert?: string }[] }[] }).groups.flatMap((g) => g.rules.map((r) => r.alert).filter((a): a is string => a !== undefined)));

interface Inhibit { source_matchers: string[]; target_matchers: string[]; equal: string[] }
const inhibits = (parse(readFileSync(config, 'utf8')) as { inhibit_rules: Inhibit[] }).inhibit_rules;
const named = (matchers: string[]): string[] => matchers.flatMap((m) => (/alertname\s*=~?\s*"?([^"]+)"?/.exec(m)?.[1] ?? '').split('|')).map((s) => s.trim()).filter(Boolean);

describe('Alertmanager configuration', () => {
  it.skipIf(amtoolTool.skip)('loads, and sends every alert of the rules to the lab console', () => {
    amtoolTool.assertPresent();
    const check = amtool(['check-config', config]);
    expect(check.status, check.output).toBe(0);
    expect(alertNames.length).toBeGreaterThanOrEqual(11);
    for (const alertname of alertNames) {
      const route = amtool(['config', 'routes', 'test', `--config.file=${config}`, `alertname=${alertname}`, 'lab=smartshop']);
      expect(route.output.trim(), alertname).toBe('lab-console');
    }
  });

  it('inhibits only alerts that exist, never the ones the CI alert drills must see delivered', () => {
    const mustArrive = ['SmartShopPaymentFailureRatioHigh', 'HAProxyBackendServerDown', 'GaleraNodesDiverged'];
    for (const rule of inhibits) {
      for (const name of [...named(rule.source_matchers), ...named(rule.target_matchers)]) expect(alertNames, name).toContain(name);
      expect(rule.equal).toContain('lab');
    }
    const sources = new Set(inhibits.flatMap((r) => named(r.source_matchers)));
    for (const name of mustArrive) {
      const by = inhibits.filter((r) => named(r.target_matchers).includes(name)).flatMap((r) => named(r.source_matchers));
      // only an outage that contains it (no quorum, HAProxy itself down) may hide it
      for (const source of by) expect(['GaleraNonPrimary', 'HAProxyDown'], `${name} inhibited by ${source}`).toContain(source);
    }
    expect(sources.has('HAProxyBackendServerDown')).toBe(true);
  });
});
