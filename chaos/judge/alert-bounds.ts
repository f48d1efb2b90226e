// How long an alert may take to reach the receiver, from the lab's own configuration: the
// rule's `for:`, Prometheus' scrape and evaluation intervals, Alertmanager's group_wait, plus
// the time the drill says its condition needs to become true (a rate over a window fills
// slowly) and a stated margin. Read from the files the lab mounts, so a change to a rule
// changes the bound the drill judges by.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../lab/index.ts';
import { parseDuration } from '../../shared/cli-numbers.ts';

export interface AlertRule {
  alert: string;
  expr: string;
  forSeconds: number;
  /** how long it keeps firing after its condition clears (an inhibitor outlives what it holds back) */
  keepFiringForSeconds: number;
  severity: string | undefined;
  file: string;
}

export interface Timings {
  scrapeSeconds: number;
  evaluationSeconds: number;
  groupWaitSeconds: number;
  groupIntervalSeconds: number;
}

const seconds = (v: unknown, fallback: number): number => (typeof v === 'string' ? parseDuration('duration', v, true) : fallback);

/** Every alerting rule under `<prometheusDir>/rules`. */
export function alertRules(prometheusDir = join(REPO_ROOT, 'prometheus')): AlertRule[] {
  const dir = join(prometheusDir, 'rules');
  return readdirSync(dir).filter((f) => f.endsWith('.yml')).sort().flatMap((file) => {
    const doc = parse(readFileSync(join(dir, file), 'utf8')) as {
      groups?: { rules?: { alert?: string; expr?: string; for?: string; keep_firing_for?: string; labels?: Record<string, string> }[] }[];
    };
    return (doc.groups ?? []).flatMap((g) => g.rules ?? []).filter((r) => r.alert !== undefined).map((r) => ({
      alert: r.alert as string,
      expr: String(r.expr ?? '').trim(),
      forSeconds: seconds(r.for, 0),
      keepFiringForSeconds: seconds(r.keep_firing_for, 0),
      severity: r.labels?.severity,
      file: join('prometheus', 'rules', file),
    }));
  });
}

export function timings(root = REPO_ROOT): Timings {
  const prom = parse(readFileSync(join(root, 'prometheus', 'prometheus.yml'), 'utf8')) as { global?: Record<string, string> };
  const am = parse(readFileSync(join(root, 'alertmanager', 'alertmanager.yml'), 'utf8')) as { route?: Record<string, string> };
  return {
    scrapeSeconds: seconds(prom.global?.scrape_interval, 60),
    evaluationSeconds: seconds(prom.global?.evaluation_interval, 60),
    groupWaitSeconds: seconds(am.route?.group_wait, 30),
    groupIntervalSeconds: seconds(am.route?.group_interval, 300),
  };
}

/** Longest the alert may take from the cause to the receiver. */
export function fireBoundSeconds(rule: AlertRule, t: Timings, conditionSeconds: number, marginSeconds: number): number {
  return conditionSeconds + rule.forSeconds + 2 * t.scrapeSeconds + 2 * t.evaluationSeconds + t.groupWaitSeconds + marginSeconds;
}

/** Longest the resolved notification may take after the rollback: the condition clears, the
 * rule's keep_firing_for passes, then one evaluation and Alertmanager's next group flush. */
export function resolveBoundSeconds(rule: AlertRule, t: Timings, clearSeconds: number, marginSeconds: number): number {
  return clearSeconds + rule.keepFiringForSeconds + 2 * t.scrapeSeconds + 2 * t.evaluationSeconds + t.groupIntervalSeconds + marginSeconds;
}
