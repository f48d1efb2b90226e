// What an alert drill watches: the lab's receiver (what Alertmanager delivered), Prometheus
// (what fires or is pending) and Alertmanager itself (what it holds back, and why). Every
// wait polls every 2 s and ends at its bound.
import { pollUntil } from '../../shared/time.ts';
import { getJson } from '../../shared/http-json.ts';
import { PrometheusClient } from '../../shared/prometheus.ts';

export interface AlertEndpoints {
  api: string;
  prometheus: string;
  /** Alertmanager's API v2 base: the console's read-only view of it (Alertmanager is not published) */
  alertmanager: string;
  console: string;
}

export interface RecordedNotification {
  receivedAt: string;
  alertname: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
}

const POLL_MS = 2_000;

export async function notificationsSince(consoleUrl: string, since: Date): Promise<RecordedNotification[]> {
  const body = await getJson<{ notifications: RecordedNotification[] }>(`${consoleUrl}/notifications?since=${encodeURIComponent(since.toISOString())}`);
  return body.notifications;
}

/** Alerts firing or pending now (a pending one may fire during the drill without its doing). */
export async function activeAlerts(prometheus: string): Promise<{ firing: string[]; pending: string[] }> {
  const alerts = await new PrometheusClient(prometheus).alerts();
  const names = (state: string): string[] => [...new Set(alerts.filter((a) => a.state === state).map((a) => a.labels.alertname))];
  return { firing: names('firing'), pending: names('pending') };
}

/** The alerting rules the lab's Prometheus has loaded (its rules may predate the checkout's). */
export async function loadedAlertRules(prometheus: string): Promise<string[]> {
  return (await new PrometheusClient(prometheus).rules('alert')).filter((r) => r.type === 'alerting').map((r) => r.name);
}

/** Whether Alertmanager holds `alert` back now because another alert inhibits it. */
async function suppressedByInhibition(alertmanager: string, alert: string): Promise<boolean> {
  const filter = encodeURIComponent(`alertname="${alert}"`);
  const alerts = await getJson<{ status: { state: string; inhibitedBy: string[] } }[]>(`${alertmanager}/api/v2/alerts?filter=${filter}`);
  return alerts.some((a) => a.status.state === 'suppressed' && a.status.inhibitedBy.length > 0);
}

const labelKey = (labels: Record<string, string>): string => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
const secondsSince = (since: Date, at: string | number): number => ((typeof at === 'string' ? Date.parse(at) : at) - since.getTime()) / 1000;

/** Polls the receiver until `alert` fires after `since`, or the bound passes: seconds, and the label sets that fired. */
export async function waitFiring(consoleUrl: string, alert: string, since: Date, boundSeconds: number, signal?: AbortSignal): Promise<{ after: number; labels: Set<string> } | null> {
  const found = await pollUntil(since.getTime() + boundSeconds * 1000, POLL_MS, async () => {
    const fired = (await notificationsSince(consoleUrl, since).catch(() => [])).filter((n) => n.alertname === alert && n.status === 'firing');
    const first = fired[0];
    return first ? { after: secondsSince(since, first.receivedAt), labels: new Set(fired.map((n) => labelKey(n.labels))) } : undefined;
  }, undefined, signal);
  return found ?? null;
}

/**
 * Polls until every label set of the alert that fired has a resolved notification after
 * `since` (a group's notification lists each alert with its own status), or the bound passes.
 */
export async function waitResolved(consoleUrl: string, alert: string, fired: Set<string>, since: Date, boundSeconds: number, signal?: AbortSignal): Promise<number | null> {
  const after = await pollUntil(since.getTime() + boundSeconds * 1000, POLL_MS, async () => {
    const resolved = (await notificationsSince(consoleUrl, since).catch(() => [])).filter((n) => n.alertname === alert && n.status === 'resolved');
    const done = new Set(resolved.map((n) => labelKey(n.labels)));
    const last = resolved.at(-1);
    return last && [...fired].every((k) => done.has(k)) ? secondsSince(since, last.receivedAt) : undefined;
  }, undefined, signal);
  return after ?? null;
}

export interface InhibitionSeen {
  /** seconds from the fault until the alert fired in Prometheus */
  firingAfter: number | null;
  /** seconds until Alertmanager was seen holding it back (inhibited) */
  suppressedAfter: number | null;
  /** seconds until the inhibiting alert reached the receiver */
  inhibitorDeliveredAfter: number | null;
}

/**
 * For an alert Alertmanager should hold back: polls until it fires in Prometheus, Alertmanager
 * shows it suppressed by an inhibition, and the inhibiting alert has been delivered; or the
 * bound passes (each part is then null).
 */
export async function waitInhibited(e: AlertEndpoints, alert: string, inhibitor: string, since: Date, boundSeconds: number, signal?: AbortSignal): Promise<InhibitionSeen> {
  const seen: InhibitionSeen = { firingAfter: null, suppressedAfter: null, inhibitorDeliveredAfter: null };
  await pollUntil(since.getTime() + boundSeconds * 1000, POLL_MS, async () => {
    if (seen.firingAfter === null && (await activeAlerts(e.prometheus).catch(() => ({ firing: [] as string[] }))).firing.includes(alert)) {
      seen.firingAfter = secondsSince(since, Date.now());
    }
    if (seen.suppressedAfter === null && (await suppressedByInhibition(e.alertmanager, alert).catch(() => false))) {
      seen.suppressedAfter = secondsSince(since, Date.now());
    }
    if (seen.inhibitorDeliveredAfter === null) {
      const first = (await notificationsSince(e.console, since).catch(() => [])).find((n) => n.alertname === inhibitor && n.status === 'firing');
      if (first) seen.inhibitorDeliveredAfter = secondsSince(since, first.receivedAt);
    }
    return seen.firingAfter !== null && seen.suppressedAfter !== null && seen.inhibitorDeliveredAfter !== null ? true : undefined;
  }, undefined, signal);
  return seen;
}

/** Polls until `alert` is neither firing nor pending in Prometheus: seconds after `since`, or null at the bound. */
export async function waitCleared(prometheus: string, alert: string, since: Date, boundSeconds: number, signal?: AbortSignal): Promise<number | null> {
  const after = await pollUntil(since.getTime() + boundSeconds * 1000, POLL_MS, async () => {
    const active = await activeAlerts(prometheus).catch(() => undefined);
    return active && !active.firing.includes(alert) && !active.pending.includes(alert) ? secondsSince(since, Date.now()) : undefined;
  }, undefined, signal);
  return after ?? null;
}
