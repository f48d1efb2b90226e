// What is particular to an alert drill, as a judge beside the ledger (the drill itself runs
// through the one runner): before, the alert must not be firing (pending alerts settle first,
// and what fires now is the baseline, not the drill's doing); during, the fault is held until
// the alert reaches the lab console (or, for an alert Alertmanager should hold back, until it
// fires in Prometheus, is shown suppressed and its inhibitor is delivered) or its bound passes;
// after, it must resolve within its bound; and nothing unrelated may be notified meanwhile.
// The bounds come from the lab's own rule and timings (alert-bounds.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import type { AlertExpectation } from '../types.ts';
import { alertRules, fireBoundSeconds, resolveBoundSeconds, timings, type AlertRule, type Timings } from './alert-bounds.ts';
import {
  activeAlerts, loadedAlertRules, notificationsSince, waitCleared, waitFiring, waitInhibited, waitResolved, type AlertEndpoints, type InhibitionSeen,
} from '../observe/alerts.ts';

export interface AlertBounds {
  fireSeconds: number;
  resolveSeconds: number;
  marginSeconds: number;
}

export interface AlertJudgement {
  alert: string;
  rule: { file: string; expr: string; forSeconds: number };
  bounds: AlertBounds;
  /** seconds from the injection to the firing notification (inhibited: to firing in Prometheus); null when not within the bound */
  firedAfterSeconds: number | null;
  /** seconds from the end of the rollback to the resolved notification (inhibited: to no longer firing) */
  resolvedAfterSeconds: number | null;
  /** for an alert Alertmanager should hold back: what inhibits it, and what the drill saw */
  inhibition: ({ by: string } & InhibitionSeen) | null;
  /** what was firing or pending before the drill (not counted against it) */
  baseline: string[];
  /** alerts notified during the drill that it did not expect (neither its own, nor alsoExpected, nor the baseline) */
  unrelated: string[];
  alsoNotified: string[];
  failures: string[];
}

export interface AlertWatchOptions {
  endpoints: AlertEndpoints;
  /** the rules the bounds come from (default: the checkout's prometheus/) */
  rules?: AlertRule[];
  timings?: Timings;
  /** seconds added to every bound (default 30) */
  marginSeconds?: number;
  /** how long the watched alerts may take to settle before the drill starts (default 120 s) */
  settleSeconds?: number;
  say: (line: string) => void;
}

/** An alert's moment, for the drill's timeline (epoch ms). */
export interface AlertMoment {
  at: number;
  detail: string;
}

const at = (v: number | null, bound: number): string => (v === null ? `not within ${bound} s` : `after ${v.toFixed(1)} s`);

export class AlertWatch {
  readonly bounds: AlertBounds;
  readonly rule: AlertRule;
  readonly moments: AlertMoment[] = [];
  private baseline: string[] = [];
  private since = new Date();
  private fired: { after: number; labels: Set<string> } | null = null;
  private inhibition: InhibitionSeen | null = null;
  private resolvedAfter: number | null = null;
  /** when the firing and the resolved notification reached the console (epoch ms), for the pictures */
  readonly deliveredAt: { firing?: number; resolved?: number } = {};

  constructor(private readonly x: AlertExpectation, private readonly o: AlertWatchOptions) {
    const rule = (o.rules ?? alertRules()).find((r) => r.alert === x.alert);
    if (!rule) throw new Error(`no alerting rule named ${x.alert} in prometheus/rules`);
    this.rule = rule;
    const t = o.timings ?? timings();
    const marginSeconds = o.marginSeconds ?? 30;
    this.bounds = {
      fireSeconds: fireBoundSeconds(rule, t, x.conditionSeconds, marginSeconds),
      resolveSeconds: resolveBoundSeconds(rule, t, x.clearSeconds, marginSeconds),
      marginSeconds,
    };
  }

  private mark(detail: string): void {
    this.moments.push({ at: Date.now(), detail });
    this.o.say(detail);
  }

  /** The plan's line. */
  describe(): string {
    const r = this.rule;
    return `${this.x.alert} ${this.x.inhibitedBy ? `fires and is held back by ${this.x.inhibitedBy}` : 'reaches the lab console'} within ${this.bounds.fireSeconds} s ` +
      `(for ${r.forSeconds} s + condition ${this.x.conditionSeconds} s + scrape/evaluation/group wait + ${this.bounds.marginSeconds} s margin), resolves within ${this.bounds.resolveSeconds} s`;
  }

  /**
   * The steady state: the alert is not firing; what fires now is not the drill's doing. The
   * alerts this drill watches get time to settle first (the last drill's inhibitor keeps firing
   * a while: keep_firing_for), or their notifications would not be this drill's. Other alerts
   * firing or pending are the baseline, not counted against the drill, and are not waited for:
   * a slow-window alert (the error budget's 1 h burn) can stay pending for many minutes after
   * earlier drills, and a rehearsal waited 86 s for one only to count it in the baseline anyway.
   * Of the alerts that hold others back, those of a Galera node, HAProxy or a broker node away
   * cannot be pending here: the drill's own steady state refuses such a lab.
   * Throws (the drill is refused) when it cannot start.
   */
  async steady(): Promise<string> {
    const { x, o } = this;
    const watched = [x.alert, ...(x.inhibitedBy ? [x.inhibitedBy] : []), ...x.alsoExpected];
    const loaded = await loadedAlertRules(o.endpoints.prometheus);
    const missing = watched.slice(0, x.inhibitedBy ? 2 : 1).filter((a) => !loaded.includes(a));
    if (missing.length) throw new Error(`the lab's Prometheus has no rule ${missing.join(', ')}: its rules predate this checkout (\`make up\` reloads them)`);
    const unsettled = (a: { firing: string[]; pending: string[] }): boolean => [...a.firing, ...a.pending].some((n) => watched.includes(n));
    let active = await activeAlerts(o.endpoints.prometheus);
    const settleUntil = Date.now() + (o.settleSeconds ?? 120) * 1000;
    while (unsettled(active) && Date.now() < settleUntil) {
      await sleep(5_000);
      active = await activeAlerts(o.endpoints.prometheus);
    }
    const baseline = [...new Set([...active.firing, ...active.pending])];
    if (baseline.includes(x.alert)) throw new Error(`${x.alert} is already firing or pending: the drill cannot tell what it causes (run \`smartshop chaos recover\` or wait until it resolves)`);
    await notificationsSince(o.endpoints.console, new Date()).catch((err: unknown) => {
      throw new Error(`the lab console does not answer at ${o.endpoints.console} (${(err as Error).message}): is the lab up with Alertmanager (make up)?`);
    });
    this.baseline = baseline;
    this.since = new Date();
    this.mark(`${x.alert} not firing${baseline.length ? `; already firing or pending, not counted against the drill: ${baseline.join(', ')}` : ''}`);
    return `${x.alert} not firing; ${baseline.length} other alert(s) already active`;
  }

  /** The hold: until the alert fired (or was held back as it should be), or its bound passed. */
  async hold(injectedAt: Date, signal?: AbortSignal): Promise<void> {
    const { x, o, bounds } = this;
    if (x.inhibitedBy === undefined) {
      this.fired = await waitFiring(o.endpoints.console, x.alert, injectedAt, bounds.fireSeconds, signal);
      const seen = this.fired;
      if (seen !== null) this.deliveredAt.firing = injectedAt.getTime() + seen.after * 1000;
      this.mark(seen === null ? `${x.alert}: no firing notification within ${bounds.fireSeconds} s` : `${x.alert}: firing notification after ${seen.after.toFixed(1)} s (${seen.labels.size} label set${seen.labels.size === 1 ? '' : 's'})`);
    } else {
      const held = await waitInhibited(o.endpoints, x.alert, x.inhibitedBy, injectedAt, bounds.fireSeconds, signal);
      this.inhibition = held;
      this.mark(`${x.alert}: firing in Prometheus ${at(held.firingAfter, bounds.fireSeconds)}; held back by Alertmanager ${at(held.suppressedAfter, bounds.fireSeconds)}; ${x.inhibitedBy} delivered ${at(held.inhibitorDeliveredAfter, bounds.fireSeconds)}`);
    }
  }

  /** After the rollback (`since` its end): the resolved notification (or, held back, no longer firing), within its bound. */
  async awaitResolved(since: Date, signal?: AbortSignal): Promise<boolean> {
    const { x, o, bounds } = this;
    const seen = this.fired;
    const held = this.inhibition;
    if (seen !== null) {
      // a resolved notification only follows a firing one
      this.resolvedAfter = await waitResolved(o.endpoints.console, x.alert, seen.labels, since, bounds.resolveSeconds, signal);
      if (this.resolvedAfter !== null) this.deliveredAt.resolved = since.getTime() + this.resolvedAfter * 1000;
      this.mark(this.resolvedAfter === null ? `${x.alert}: no resolved notification within ${bounds.resolveSeconds} s` : `${x.alert}: resolved notification after ${this.resolvedAfter.toFixed(1)} s`);
    } else if (held?.firingAfter != null) {
      this.resolvedAfter = await waitCleared(o.endpoints.prometheus, x.alert, since, bounds.resolveSeconds, signal);
      this.mark(this.resolvedAfter === null ? `${x.alert}: still firing in Prometheus ${bounds.resolveSeconds} s after the rollback` : `${x.alert}: cleared in Prometheus after ${this.resolvedAfter.toFixed(1)} s`);
    }
    return this.resolvedAfter !== null;
  }

  /** The judgement: fired in time, delivered or held back, resolved in time, nothing unrelated notified. */
  async judge(): Promise<AlertJudgement> {
    const { x, o, bounds } = this;
    const during = await notificationsSince(o.endpoints.console, this.since).catch(() => []);
    const others = [...new Set(during.filter((n) => n.status === 'firing' && n.alertname !== x.alert).map((n) => n.alertname))];
    const unrelated = others.filter((a) => !x.alsoExpected.includes(a) && !this.baseline.includes(a));
    const held = this.inhibition;
    const firedAfter = x.inhibitedBy === undefined ? this.fired?.after ?? null : held?.firingAfter ?? null;
    const failures = x.inhibitedBy === undefined
      ? notifiedFailures(x.alert, bounds, firedAfter, this.resolvedAfter)
      : inhibitedFailures(x.alert, x.inhibitedBy, bounds, held, this.resolvedAfter, during.some((n) => n.alertname === x.alert && n.status === 'firing'));
    if (unrelated.length) failures.push(`unrelated alerts notified: ${unrelated.join(', ')}`);
    return {
      alert: x.alert,
      rule: { file: this.rule.file, expr: this.rule.expr, forSeconds: this.rule.forSeconds },
      bounds,
      firedAfterSeconds: firedAfter,
      resolvedAfterSeconds: this.resolvedAfter,
      inhibition: x.inhibitedBy === undefined || held === null ? null : { by: x.inhibitedBy, ...held },
      baseline: this.baseline,
      unrelated,
      alsoNotified: others.filter((a) => !unrelated.includes(a)),
      failures,
    };
  }
}

/** An alert that should page: delivered within its bound, then resolved within its bound. */
export function notifiedFailures(alert: string, bounds: AlertBounds, firedAfter: number | null, resolvedAfter: number | null): string[] {
  if (firedAfter === null) return [`${alert} did not reach the receiver within ${bounds.fireSeconds} s of the fault`];
  if (resolvedAfter === null) return [`${alert} was not resolved within ${bounds.resolveSeconds} s of the rollback`];
  return [];
}

/**
 * An alert Alertmanager should hold back: it fired in Prometheus (the rule works), Alertmanager
 * held it back while its inhibitor was delivered (one page, not several), it was never
 * notified itself, and it cleared after the rollback.
 */
export function inhibitedFailures(alert: string, inhibitor: string, bounds: AlertBounds, seen: InhibitionSeen | null, clearedAfter: number | null, notified: boolean): string[] {
  const failures: string[] = [];
  if (seen?.firingAfter == null) failures.push(`${alert} did not fire in Prometheus within ${bounds.fireSeconds} s of the fault`);
  if (seen?.inhibitorDeliveredAfter == null) failures.push(`${inhibitor}, which should page instead, did not reach the receiver within ${bounds.fireSeconds} s`);
  if (seen?.firingAfter != null && seen.suppressedAfter == null) failures.push(`Alertmanager never showed ${alert} held back by an inhibition`);
  if (notified) failures.push(`${alert} was notified although ${inhibitor} inhibits it: a page too many`);
  if (seen?.firingAfter != null && clearedAfter === null) failures.push(`${alert} still fired ${bounds.resolveSeconds} s after the rollback`);
  return failures;
}

const secs = (v: number | null): string => (v === null ? '—' : `${v.toFixed(1)} s`);

/** The alert's section of a drill report (Markdown lines). */
export function alertLines(a: AlertJudgement | { error: string }): string[] {
  if ('error' in a) return [`- **not judged**: ${a.error}`];
  return [
    `Rule (${a.rule.file}): \`${a.rule.expr.replace(/\s+/g, ' ')}\`, for ${a.rule.forSeconds} s.`,
    '',
    '| time to fire | bound | time to resolve | bound | delivered as | also notified | unrelated |',
    '|---:|---:|---:|---:|---|---|---|',
    `| ${secs(a.firedAfterSeconds)} | ${a.bounds.fireSeconds} s | ${secs(a.resolvedAfterSeconds)} | ${a.bounds.resolveSeconds} s | ${a.inhibition ? `inhibited by ${a.inhibition.by}` : 'notified'} | ${a.alsoNotified.join(', ') || '—'} | ${a.unrelated.join(', ') || '—'} |`,
    ...a.failures.map((f) => `- **${f}**`),
  ];
}

/** One row per alert drill, for `chaos run alerts`' summary. */
export function alertSummary(rows: { drill: string; verdict: string; alert?: AlertJudgement | { error: string } }[]): string {
  return [
    '| drill | verdict | time to fire | bound | time to resolve | bound | delivered as |',
    '|---|---|---:|---:|---:|---:|---|',
    ...rows.map((r) => {
      const a = r.alert && !('error' in r.alert) ? r.alert : undefined;
      return `| ${r.drill} | ${r.verdict} | ${secs(a?.firedAfterSeconds ?? null)} | ${a ? `${a.bounds.fireSeconds} s` : '—'} | ${secs(a?.resolvedAfterSeconds ?? null)} | ${a ? `${a.bounds.resolveSeconds} s` : '—'} | ${a ? (a.inhibition ? `inhibited by ${a.inhibition.by}` : 'notified') : '—'} |`;
    }),
  ].join('\n');
}
