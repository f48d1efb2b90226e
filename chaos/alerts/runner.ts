// One alert drill: does the alert reach someone when its fault happens, and go away after?
// Steady state (the alert is not firing; what else fires now is the baseline) → traffic →
// inject → wait for the firing notification at the lab's receiver, bounded by the rule's
// own timings (bounds.ts) → rollback → wait for the resolved notification → judge: fired in
// time, resolved in time, nothing unrelated notified → a report (JSON + Markdown).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NodeSql, Target } from '../../lab/index.ts';
import { Journal, renderPhases, type PhaseRecord } from '../phases/journal.ts';
import { startRun } from '../../simulator/index.ts';
import { alertRules, fireBoundSeconds, resolveBoundSeconds, timings, type AlertRule, type Timings } from './bounds.ts';
import type { AlertDrill, AlertDrillContext } from './catalog.ts';
import {
  activeAlerts, loadedAlertRules, notificationsSince, waitCleared, waitFiring, waitInhibited, waitResolved, type AlertEndpoints, type InhibitionSeen,
} from './observe.ts';


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

type AlertVerdict = 'passed' | 'failed';

export interface AlertDrillReport {
  kind: 'alert-drill';
  alert: string;
  cause: string;
  startedAt: string;
  endedAt: string;
  rule: { file: string; expr: string; forSeconds: number } | null;
  bounds: { fireSeconds: number; resolveSeconds: number; marginSeconds: number };
  /** seconds from inject to the firing notification (for an inhibited alert: to firing in Prometheus); null when not within the bound */
  firedAfterSeconds: number | null;
  /** seconds from the end of the rollback to the resolved notification (inhibited: to no longer firing) */
  resolvedAfterSeconds: number | null;
  /** for an alert Alertmanager should hold back: what inhibits it, and what the drill saw */
  inhibition: ({ by: string } & InhibitionSeen) | null;
  /** alerts notified during the drill that it did not expect (neither its own, nor alsoExpected, nor firing before) */
  unrelated: string[];
  alsoNotified: string[];
  verdict: AlertVerdict;
  failures: string[];
  /** the alert's own moments (injected, fired, rolled back, resolved) */
  timeline: { at: string; event: string }[];
  /** the journal every drill keeps: each phase with its times and outcome, and every line said */
  phases: PhaseRecord[];
  log: string[];
}

export async function runAlertDrill(o: AlertDrillOptions): Promise<AlertDrillReport> {
  const { drill, print } = o;
  const marginSeconds = o.marginSeconds ?? 30;
  const rule = (o.rules ?? alertRules()).find((r) => r.alert === drill.alert);
  if (!rule) throw new Error(`no alerting rule named ${drill.alert} in prometheus/rules`);
  const t = o.timings ?? timings();
  const bounds = {
    fireSeconds: fireBoundSeconds(rule, t, drill.conditionSeconds, marginSeconds),
    resolveSeconds: resolveBoundSeconds(rule, t, drill.clearSeconds, marginSeconds),
    marginSeconds,
  };
  // the same journal and phases as every drill (phases/journal.ts); what is particular to an
  // alert (fired within its bound, delivered or inhibited, resolved, nothing unrelated) is
  // the judgement
  const journal = new Journal((l) => print(`  ${l}`));
  const timeline: AlertDrillReport['timeline'] = [];
  const mark = (event: string): void => {
    timeline.push({ at: new Date().toISOString(), event });
    journal.say(event);
  };
  const started = new Date();
  print(`alert drill ${drill.alert}: ${drill.cause}`);
  journal.say(`bounds: fire within ${bounds.fireSeconds} s (for ${rule.forSeconds} s + condition ${drill.conditionSeconds} s + scrape/evaluation/group wait + ${marginSeconds} s margin), resolve within ${bounds.resolveSeconds} s`);

  const baseline = await journal.phase('steady-state-hypothesis', async () => {
    const b = await alertSteadyState(o, rule.alert);
    mark(`steady state: ${drill.alert} not firing${b.length ? `; already firing or pending, not counted against the drill: ${b.join(', ')}` : ''}`);
    return { value: b, detail: `${drill.alert} not firing; ${b.length} other alert(s) already active` };
  });

  const run = drill.rate > 0
    ? startRun({ target: o.endpoints.api, rate: drill.rate, seed: 7, mix: { errorRate: 0 }, mode: `alert:${drill.alert}`, concurrency: 50, keepLedger: false })
    : undefined;
  const ctx: AlertDrillContext = { target: o.target, sql: o.sql, database: o.database, say: (l) => journal.say(l), state: {} };
  const inhibitor = drill.inhibitedBy;
  let fired: { after: number; labels: Set<string> } | null = null;
  let inhibition: InhibitionSeen | null = null;
  let resolvedAfter: number | null = null;
  const failures: string[] = [];
  // the traffic stops whatever happens: a method that throws must not leave it running
  try {
    try {
      await journal.phase('method', async () => {
        const injectedAt = new Date();
        await drill.inject(ctx);
        mark(`injected: ${drill.cause}`);
        if (inhibitor === undefined) {
          fired = await waitFiring(o.endpoints.console, drill.alert, injectedAt, bounds.fireSeconds);
          const seen = fired;
          mark(seen === null ? `no firing notification within ${bounds.fireSeconds} s` : `firing notification after ${seen.after.toFixed(1)} s (${seen.labels.size} label set${seen.labels.size === 1 ? '' : 's'})`);
        } else {
          inhibition = await waitInhibited(o.endpoints, drill.alert, inhibitor, injectedAt, bounds.fireSeconds);
          const at = (v: number | null): string => (v === null ? `not within ${bounds.fireSeconds} s` : `after ${v.toFixed(1)} s`);
          mark(`firing in Prometheus ${at(inhibition.firingAfter)}; held back by Alertmanager ${at(inhibition.suppressedAfter)}; ${inhibitor} delivered ${at(inhibition.inhibitorDeliveredAfter)}`);
        }
        return { value: undefined, detail: `${drill.cause}; held until the alert fired or its bound passed` };
      });
    } finally {
      await journal.phase('rollbacks', async () => {
        try {
          await drill.rollback(ctx);
          mark('rolled back');
          return { value: undefined, detail: 'the lab is as it was' };
        } catch (err) {
          failures.push(`rollback failed: ${(err as Error).message}`);
          mark(`rollback failed: ${(err as Error).message}`);
          return { value: undefined, detail: (err as Error).message, outcome: 'failed' };
        }
      });
    }
    const rolledBack = new Date();
    await journal.phase('recovery', async () => {
      const seen = fired;
      const held = inhibition;
      if (seen !== null) {
        // a resolved notification only follows a firing one
        resolvedAfter = await waitResolved(o.endpoints.console, drill.alert, seen.labels, rolledBack, bounds.resolveSeconds);
        mark(resolvedAfter === null ? `no resolved notification within ${bounds.resolveSeconds} s` : `resolved notification after ${resolvedAfter.toFixed(1)} s`);
      } else if (held?.firingAfter != null) {
        resolvedAfter = await waitCleared(o.endpoints.prometheus, drill.alert, rolledBack, bounds.resolveSeconds);
        mark(resolvedAfter === null ? `still firing in Prometheus ${bounds.resolveSeconds} s after the rollback` : `cleared in Prometheus after ${resolvedAfter.toFixed(1)} s`);
      }
      const cleared = resolvedAfter !== null;
      return { value: undefined, detail: cleared ? `${drill.alert} resolved` : `${drill.alert} not resolved within ${bounds.resolveSeconds} s (or never fired)`, outcome: cleared ? 'ok' : 'failed' };
    });
  } finally {
    run?.stop();
    await run?.done;
  }

  return journal.phase('judgement', async () => {
    const during = await notificationsSince(o.endpoints.console, started).catch(() => []);
    const others = [...new Set(during.filter((n) => n.status === 'firing' && n.alertname !== drill.alert).map((n) => n.alertname))];
    const unrelated = others.filter((a) => !drill.alsoExpected.includes(a) && !baseline.includes(a));
    const seen = fired;
    const held = inhibition;
    const firedAfter = inhibitor === undefined ? seen?.after ?? null : held?.firingAfter ?? null;
    failures.push(...(inhibitor === undefined
      ? notifiedFailures(drill.alert, bounds, firedAfter, resolvedAfter)
      : inhibitedFailures(drill.alert, inhibitor, bounds, held, resolvedAfter, during.some((n) => n.alertname === drill.alert && n.status === 'firing'))));
    if (unrelated.length) failures.push(`unrelated alerts notified: ${unrelated.join(', ')}`);
    const verdict: AlertVerdict = failures.length === 0 ? 'passed' : 'failed';
    print(`verdict: ${verdict}${failures.length ? ` (${failures.join('; ')})` : ''}`);
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
      inhibition: inhibitor === undefined || held === null ? null : { by: inhibitor, ...held },
      unrelated,
      alsoNotified: others.filter((a) => !unrelated.includes(a)),
      verdict,
      failures,
      timeline,
      phases: journal.phases,
      log: journal.log,
    };
    return { value: report, detail: verdict === 'passed' ? 'fired and resolved within their bounds, nothing unrelated notified' : failures.join('; '), outcome: verdict === 'passed' ? 'ok' : 'failed' };
  });
}

/**
 * The alert drill's steady state: the alert must not be firing already; what fires now is
 * not the drill's doing. Pending alerts (a lab just started has some) are given time to
 * settle first, and so are the alerts this drill watches (the last drill's inhibitor keeps
 * firing a while after its cause: keep_firing_for), or their notifications would not be
 * this drill's. Returns the baseline: what was active before the drill.
 */
async function alertSteadyState(o: AlertDrillOptions, alert: string): Promise<string[]> {
  const { drill } = o;
  const watched = [alert, ...(drill.inhibitedBy ? [drill.inhibitedBy] : []), ...drill.alsoExpected];
  const loaded = await loadedAlertRules(o.endpoints.prometheus);
  const missing = watched.slice(0, drill.inhibitedBy ? 2 : 1).filter((a) => !loaded.includes(a));
  if (missing.length) throw new Error(`the lab's Prometheus has no rule ${missing.join(', ')}: its rules predate this checkout (\`make up\` reloads them)`);
  const unsettled = (a: { firing: string[]; pending: string[] }): boolean => a.pending.length > 0 || a.firing.some((n) => watched.includes(n));
  let active = await activeAlerts(o.endpoints.prometheus);
  const settleUntil = Date.now() + (o.settleSeconds ?? 120) * 1000;
  while (unsettled(active) && Date.now() < settleUntil) {
    await sleep(5_000);
    active = await activeAlerts(o.endpoints.prometheus);
  }
  const baseline = [...new Set([...active.firing, ...active.pending])];
  if (baseline.includes(alert)) throw new Error(`${alert} is already firing or pending: the drill cannot tell what it causes (run \`smartshop chaos recover\` or wait until it resolves)`);
  await notificationsSince(o.endpoints.console, new Date()).catch((err: unknown) => {
    throw new Error(`the lab console does not answer at ${o.endpoints.console} (${(err as Error).message}): is the lab up with Alertmanager (make up)?`);
  });
  return baseline;
}

type Bounds = AlertDrillReport['bounds'];

/** An alert that should page: delivered within its bound, then resolved within its bound. */
export function notifiedFailures(alert: string, bounds: Bounds, firedAfter: number | null, resolvedAfter: number | null): string[] {
  if (firedAfter === null) return [`${alert} did not reach the receiver within ${bounds.fireSeconds} s of the fault`];
  if (resolvedAfter === null) return [`${alert} was not resolved within ${bounds.resolveSeconds} s of the rollback`];
  return [];
}

/**
 * An alert Alertmanager should hold back: it fired in Prometheus (the rule works), Alertmanager
 * held it back while its inhibitor was delivered (one page, not several), it was never
 * notified itself, and it cleared after the rollback.
 */
export function inhibitedFailures(alert: string, inhibitor: string, bounds: Bounds, seen: InhibitionSeen | null, clearedAfter: number | null, notified: boolean): string[] {
  const failures: string[] = [];
  if (seen?.firingAfter == null) failures.push(`${alert} did not fire in Prometheus within ${bounds.fireSeconds} s of the fault`);
  if (seen?.inhibitorDeliveredAfter == null) failures.push(`${inhibitor}, which should page instead, did not reach the receiver within ${bounds.fireSeconds} s`);
  if (seen?.firingAfter != null && seen.suppressedAfter == null) failures.push(`Alertmanager never showed ${alert} held back by an inhibition`);
  if (notified) failures.push(`${alert} was notified although ${inhibitor} inhibits it: a page too many`);
  if (seen?.firingAfter != null && clearedAfter === null) failures.push(`${alert} still fired ${bounds.resolveSeconds} s after the rollback`);
  return failures;
}

export function renderAlertReports(reports: AlertDrillReport[]): string {
  const s = (v: number | null): string => (v === null ? '—' : `${v.toFixed(1)} s`);
  return [
    '| alert | cause | verdict | time to fire | bound | time to resolve | bound | delivered as | also notified | unrelated |',
    '|---|---|---|---:|---:|---:|---:|---|---|---|',
    ...reports.map((r) => `| ${r.alert} | ${r.cause} | ${r.verdict} | ${s(r.firedAfterSeconds)} | ${r.bounds.fireSeconds} s | ${s(r.resolvedAfterSeconds)} | ${r.bounds.resolveSeconds} s | ${r.inhibition ? `inhibited by ${r.inhibition.by}` : 'notified'} | ${r.alsoNotified.join(', ') || '—'} | ${r.unrelated.join(', ') || '—'} |`),
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
    lines.push('', '### Phases', '', ...renderPhases(r.phases), '', '### Timeline', '');
    for (const e of r.timeline) lines.push(`- ${e.at} ${e.event}`);
    lines.push('');
  }
  await writeFile(md, lines.join('\n'));
  return { json, md };
}
