// One alert drill: does the alert reach someone when its fault happens, and go away after?
// Steady state (the alert is not firing; what else fires now is the baseline) → traffic →
// inject → wait for the firing notification at the lab's receiver, bounded by the rule's
// own timings (bounds.ts) → rollback → wait for the resolved notification → judge: fired in
// time, resolved in time, nothing unrelated notified → a report (JSON + Markdown).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NodeSql, Target } from '../../lab/index.ts';
import { startRun } from '../../simulator/index.ts';
import { alertRules, fireBoundSeconds, resolveBoundSeconds, timings, type AlertRule, type Timings } from './bounds.ts';
import type { AlertDrill, AlertDrillContext } from './catalog.ts';

export interface AlertEndpoints {
  api: string;
  prometheus: string;
  recorder: string;
}

export interface AlertDrillOptions {
  drill: AlertDrill;
  target: Target;
  sql: NodeSql;
  endpoints: AlertEndpoints;
  database: string;
  reportDir: string;
  print: (line: string) => void;
  /** seconds added to every bound (default 30) */
  marginSeconds?: number;
  /** how long pending alerts may take to settle before the drill starts (default 120 s) */
  settleSeconds?: number;
  /** the rules the bound is computed from (default: the checkout's prometheus/) */
  rules?: AlertRule[];
  timings?: Timings;
}

export type AlertVerdict = 'passed' | 'failed';

export interface AlertDrillReport {
  kind: 'alert-drill';
  alert: string;
  cause: string;
  startedAt: string;
  endedAt: string;
  rule: { file: string; expr: string; forSeconds: number } | null;
  bounds: { fireSeconds: number; resolveSeconds: number; marginSeconds: number };
  /** seconds from inject to the firing notification; null when none came within the bound */
  firedAfterSeconds: number | null;
  /** seconds from the end of the rollback to the resolved notification */
  resolvedAfterSeconds: number | null;
  /** alerts notified during the drill that it did not expect (neither its own, nor alsoExpected, nor firing before) */
  unrelated: string[];
  alsoNotified: string[];
  verdict: AlertVerdict;
  failures: string[];
  timeline: { at: string; event: string }[];
}

interface RecordedNotification {
  receivedAt: string;
  alertname: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

async function notificationsSince(recorder: string, since: Date): Promise<RecordedNotification[]> {
  const body = await getJson<{ notifications: RecordedNotification[] }>(`${recorder}/notifications?since=${encodeURIComponent(since.toISOString())}`);
  return body.notifications;
}

/** Alerts firing or pending now (a pending one may fire during the drill without its doing). */
async function activeAlerts(prometheus: string): Promise<{ firing: string[]; pending: string[] }> {
  const body = await getJson<{ data: { alerts: { labels: { alertname: string }; state: string }[] } }>(`${prometheus}/api/v1/alerts`);
  const names = (state: string): string[] => [...new Set(body.data.alerts.filter((a) => a.state === state).map((a) => a.labels.alertname))];
  return { firing: names('firing'), pending: names('pending') };
}

const labelKey = (labels: Record<string, string>): string => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

/** Polls the receiver until `alert` fires after `since`, or the bound passes: seconds, and the label sets that fired. */
async function waitFiring(o: AlertDrillOptions, since: Date, boundSeconds: number): Promise<{ after: number; labels: Set<string> } | null> {
  const deadline = since.getTime() + boundSeconds * 1000;
  for (let i = 0; i < 10_000 && Date.now() <= deadline; i++) {
    const fired = (await notificationsSince(o.endpoints.recorder, since).catch(() => [])).filter((n) => n.alertname === o.drill.alert && n.status === 'firing');
    const first = fired[0];
    if (first) return { after: (Date.parse(first.receivedAt) - since.getTime()) / 1000, labels: new Set(fired.map((n) => labelKey(n.labels))) };
    await sleep(2_000);
  }
  return null;
}

/**
 * Polls until every label set of the alert that fired has a resolved notification after
 * `since` (a group's notification lists each alert with its own status), or the bound passes.
 */
async function waitResolved(o: AlertDrillOptions, fired: Set<string>, since: Date, boundSeconds: number): Promise<number | null> {
  const deadline = since.getTime() + boundSeconds * 1000;
  for (let i = 0; i < 10_000 && Date.now() <= deadline; i++) {
    const resolved = (await notificationsSince(o.endpoints.recorder, since).catch(() => [])).filter((n) => n.alertname === o.drill.alert && n.status === 'resolved');
    const done = new Set(resolved.map((n) => labelKey(n.labels)));
    const last = resolved.at(-1);
    if (last && [...fired].every((k) => done.has(k))) return (Date.parse(last.receivedAt) - since.getTime()) / 1000;
    await sleep(2_000);
  }
  return null;
}

export async function runAlertDrill(o: AlertDrillOptions): Promise<AlertDrillReport> {
  const { drill, print } = o;
  const marginSeconds = o.marginSeconds ?? 30;
  const rule = (o.rules ?? alertRules()).find((r) => r.alert === drill.alert);
  if (!rule) throw new Error(`no alerting rule named ${drill.alert} in prometheus/rules`);
  const t = o.timings ?? timings();
  const bounds = {
    fireSeconds: fireBoundSeconds(rule, t, drill.conditionSeconds, marginSeconds),
    resolveSeconds: resolveBoundSeconds(t, drill.clearSeconds, marginSeconds),
    marginSeconds,
  };
  const timeline: AlertDrillReport['timeline'] = [];
  const mark = (event: string): void => {
    timeline.push({ at: new Date().toISOString(), event });
    print(`  ${event}`);
  };
  const started = new Date();
  print(`alert drill ${drill.alert}: ${drill.cause}`);
  print(`  bounds: fire within ${bounds.fireSeconds} s (for ${rule.forSeconds} s + condition ${drill.conditionSeconds} s + scrape/evaluation/group wait + ${marginSeconds} s margin), resolve within ${bounds.resolveSeconds} s`);

  // steady state: the alert must not be firing already; what fires now is not the drill's
  // doing. Pending alerts (a lab just started has some) are given time to settle first.
  let active = await activeAlerts(o.endpoints.prometheus);
  const settleUntil = Date.now() + (o.settleSeconds ?? 120) * 1000;
  while (active.pending.length > 0 && Date.now() < settleUntil) {
    await sleep(5_000);
    active = await activeAlerts(o.endpoints.prometheus);
  }
  const baseline = [...new Set([...active.firing, ...active.pending])];
  if (baseline.includes(drill.alert)) throw new Error(`${drill.alert} is already firing or pending: the drill cannot tell what it causes (run \`smartshop chaos recover\` or wait until it resolves)`);
  await notificationsSince(o.endpoints.recorder, started).catch((err: unknown) => {
    throw new Error(`the alert recorder does not answer at ${o.endpoints.recorder} (${(err as Error).message}): is the lab up with Alertmanager (make up)?`);
  });
  mark(`steady state: ${drill.alert} not firing${baseline.length ? `; already firing or pending, not counted against the drill: ${baseline.join(', ')}` : ''}`);

  const run = drill.rate > 0
    ? startRun({ target: o.endpoints.api, rate: drill.rate, seed: 7, mix: { errorRate: 0 }, mode: `alert:${drill.alert}`, concurrency: 50, keepLedger: false })
    : undefined;
  const ctx: AlertDrillContext = { target: o.target, sql: o.sql, database: o.database, say: (l) => print(`  ${l}`), state: {} };
  let fired: { after: number; labels: Set<string> } | null;
  let resolvedAfter: number | null = null;
  const failures: string[] = [];
  let rolledBack: Date | undefined;
  try {
    const injectedAt = new Date();
    await drill.inject(ctx);
    mark(`injected: ${drill.cause}`);
    fired = await waitFiring(o, injectedAt, bounds.fireSeconds);
    mark(fired === null ? `no firing notification within ${bounds.fireSeconds} s` : `firing notification after ${fired.after.toFixed(1)} s (${fired.labels.size} label set${fired.labels.size === 1 ? '' : 's'})`);
  } finally {
    await drill.rollback(ctx).then(
      () => mark('rolled back'),
      (err: unknown) => { failures.push(`rollback failed: ${(err as Error).message}`); mark(`rollback failed: ${(err as Error).message}`); },
    );
    rolledBack = new Date();
  }
  try {
    // a resolved notification only follows a firing one
    if (fired !== null) {
      resolvedAfter = await waitResolved(o, fired.labels, rolledBack, bounds.resolveSeconds);
      mark(resolvedAfter === null ? `no resolved notification within ${bounds.resolveSeconds} s` : `resolved notification after ${resolvedAfter.toFixed(1)} s`);
    }
  } finally {
    run?.stop();
    await run?.done;
  }

  const during = await notificationsSince(o.endpoints.recorder, started).catch(() => []);
  const others = [...new Set(during.filter((n) => n.status === 'firing' && n.alertname !== drill.alert).map((n) => n.alertname))];
  const unrelated = others.filter((a) => !drill.alsoExpected.includes(a) && !baseline.includes(a));
  const firedAfter = fired?.after ?? null;
  if (firedAfter === null) failures.push(`${drill.alert} did not reach the receiver within ${bounds.fireSeconds} s of the fault`);
  else if (resolvedAfter === null) failures.push(`${drill.alert} was not resolved within ${bounds.resolveSeconds} s of the rollback`);
  if (unrelated.length) failures.push(`unrelated alerts notified: ${unrelated.join(', ')}`);
  const report: AlertDrillReport = {
    kind: 'alert-drill',
    alert: drill.alert,
    cause: drill.cause,
    startedAt: started.toISOString(),
    endedAt: new Date().toISOString(),
    rule: { file: rule.file, expr: rule.expr, forSeconds: rule.forSeconds },
    bounds,
    firedAfterSeconds: firedAfter,
    resolvedAfterSeconds: resolvedAfter,
    unrelated,
    alsoNotified: others.filter((a) => !unrelated.includes(a)),
    verdict: failures.length === 0 ? 'passed' : 'failed',
    failures,
    timeline,
  };
  print(`verdict: ${report.verdict}${failures.length ? ` (${failures.join('; ')})` : ''}`);
  return report;
}

export function renderAlertReports(reports: AlertDrillReport[]): string {
  const s = (v: number | null): string => (v === null ? '—' : `${v.toFixed(1)} s`);
  return [
    '| alert | cause | verdict | time to fire | bound | time to resolve | bound | also notified | unrelated |',
    '|---|---|---|---:|---:|---:|---:|---|---|',
    ...reports.map((r) => `| ${r.alert} | ${r.cause} | ${r.verdict} | ${s(r.firedAfterSeconds)} | ${r.bounds.fireSeconds} s | ${s(r.resolvedAfterSeconds)} | ${r.bounds.resolveSeconds} s | ${r.alsoNotified.join(', ') || '—'} | ${r.unrelated.join(', ') || '—'} |`),
  ].join('\n');
}

/** Writes the reports (one JSON, one Markdown table) and returns their paths. */
export async function writeAlertReports(dir: string, reports: AlertDrillReport[]): Promise<{ json: string; md: string }> {
  await mkdir(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const name = reports.length === 1 ? `alert-${reports[0]?.alert}` : 'alerts';
  const json = join(dir, `${stamp}-${name}.json`);
  const md = join(dir, `${stamp}-${name}.md`);
  await writeFile(json, `${JSON.stringify(reports.length === 1 ? reports[0] : { kind: 'alert-drills', reports }, null, 2)}\n`);
  const lines = ['# Alert drills', '', renderAlertReports(reports), ''];
  for (const r of reports) {
    lines.push(`## ${r.alert}: ${r.verdict}`, '', `Rule (${r.rule?.file}): \`${r.rule?.expr.replace(/\s+/g, ' ')}\`, for ${r.rule?.forSeconds} s.`, '');
    for (const f of r.failures) lines.push(`- **${f}**`);
    for (const e of r.timeline) lines.push(`- ${e.at} ${e.event}`);
    lines.push('');
  }
  await writeFile(md, lines.join('\n'));
  return { json, md };
}
