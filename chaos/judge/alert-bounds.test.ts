import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { alertRules, fireBoundSeconds, resolveBoundSeconds, timings } from './alert-bounds.ts';
import { alertDrills, findDrill } from '../drills/catalog.ts';
import type { AlertExpectation } from '../types.ts';

const expectations: AlertExpectation[] = alertDrills.flatMap((d) => (d.alert ? [d.alert] : []));

describe('alert drill bounds', () => {
  it('come from the lab configuration: every rule, its for:, the scrape/evaluation intervals and group waits', () => {
    const rules = alertRules();
    expect(rules.length).toBeGreaterThanOrEqual(11);
    expect(rules.find((r) => r.alert === 'SmartShopPaymentFailureRatioHigh')?.forSeconds).toBe(300);
    expect(rules.find((r) => r.alert === 'GaleraNodesDiverged')?.forSeconds).toBe(0);
    expect(rules.find((r) => r.alert === 'HAProxyBackendServerDown')?.keepFiringForSeconds).toBe(30);
    expect(timings()).toEqual({ scrapeSeconds: 5, evaluationSeconds: 5, groupWaitSeconds: 5, groupIntervalSeconds: 10 });
  });

  it('add up what the alert may take, so a slower rule gets a longer bound', () => {
    const t = { scrapeSeconds: 5, evaluationSeconds: 5, groupWaitSeconds: 5, groupIntervalSeconds: 10 };
    const rule = { alert: 'X', expr: 'up == 0', forSeconds: 60, keepFiringForSeconds: 0, severity: 'warning', file: 'x.yml' };
    expect(fireBoundSeconds(rule, t, 15, 30)).toBe(15 + 60 + 10 + 10 + 5 + 30);
    expect(fireBoundSeconds({ ...rule, forSeconds: 300 }, t, 15, 30)).toBe(15 + 300 + 10 + 10 + 5 + 30);
    expect(resolveBoundSeconds(rule, t, 30, 30)).toBe(30 + 10 + 10 + 10 + 30);
    expect(resolveBoundSeconds({ ...rule, keepFiringForSeconds: 30 }, t, 30, 30)).toBe(30 + 30 + 10 + 10 + 10 + 30);
  });

  it('every alert drill names a rule that exists; the run names select them', () => {
    const names = new Set(alertRules().map((r) => r.alert));
    expect(expectations).toHaveLength(alertDrills.length);
    for (const x of expectations) {
      expect(names.has(x.alert), x.alert).toBe(true);
      for (const a of x.alsoExpected) expect(names.has(a), a).toBe(true);
    }
    expect(findDrill('alert:GaleraNodesDiverged')?.name).toBe('alert-galera-nodes-diverged');
    expect(findDrill('alert:HAProxyBackendServerDown')?.name).toBe('alert-haproxy-backend-server-down');
    expect(findDrill('alert:RabbitMQNodeDown')?.name).toBe('alert-rabbitmq-node-down');
    expect(findDrill('alert:Nope')).toBeUndefined();
  });

  it('every alerting rule has a drill; a drill judged as inhibited names a rule of alertmanager.yml that inhibits it', () => {
    const drilled = new Set(expectations.map((x) => x.alert));
    expect(alertRules().map((r) => r.alert).filter((a) => !drilled.has(a))).toEqual([]);
    const am = parse(readFileSync('alertmanager/alertmanager.yml', 'utf8')) as { inhibit_rules: { source_matchers: string[]; target_matchers: string[] }[] };
    const inhibits = (source: string, target: string): boolean => am.inhibit_rules.some((r) =>
      r.source_matchers.some((m) => m.replace(/\s/g, '') === `alertname=${source}`) &&
      r.target_matchers.some((m) => new RegExp(`^(?:${/"(.*)"/.exec(m)?.[1] ?? ''})$`).test(target)));
    for (const x of expectations.filter((e) => e.inhibitedBy !== undefined)) {
      expect(inhibits(x.inhibitedBy ?? '', x.alert), `${x.inhibitedBy} inhibits ${x.alert}`).toBe(true);
      expect(x.alsoExpected, x.alert).toContain(x.inhibitedBy);
    }
  });
});
