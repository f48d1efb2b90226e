// What Alertmanager's webhook sends (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config,
// version "4"), checked before it is kept, and the notifications as the lab keeps them: one per
// alert per delivery, so a drill can ask "did AlertName reach someone, and when".

export interface Notification {
  /** when the console received it (ISO) */
  receivedAt: string;
  receiver: string;
  groupKey: string;
  alertname: string;
  status: 'firing' | 'resolved';
  severity: string | undefined;
  labels: Record<string, string>;
  summary: string | undefined;
  startsAt: string;
  endsAt: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): v is Record<string, string> => isRecord(v) && Object.values(v).every((x) => typeof x === 'string');

/** The payload's notifications, or an error message naming what is wrong with it. */
export function parseWebhook(body: unknown, receivedAt: Date): Notification[] | string {
  if (!isRecord(body)) return 'the body must be a JSON object (Alertmanager webhook, version 4)';
  if (body.version !== '4') return `unsupported webhook version ${JSON.stringify(body.version)} (expected "4")`;
  if (typeof body.receiver !== 'string' || typeof body.groupKey !== 'string' || !Array.isArray(body.alerts)) return 'receiver, groupKey and alerts are required';
  const out: Notification[] = [];
  for (const [i, a] of (body.alerts as unknown[]).entries()) {
    if (!isRecord(a) || (a.status !== 'firing' && a.status !== 'resolved') || !isStrings(a.labels) || !isStrings(a.annotations ?? {})) {
      return `alerts[${i}] must have status firing|resolved, labels and annotations of strings`;
    }
    const labels = a.labels;
    const annotations = (a.annotations ?? {}) as Record<string, string>;
    out.push({
      receivedAt: receivedAt.toISOString(),
      receiver: body.receiver,
      groupKey: body.groupKey,
      alertname: labels.alertname ?? '(no alertname)',
      status: a.status,
      severity: labels.severity,
      labels,
      summary: annotations.summary,
      startsAt: typeof a.startsAt === 'string' ? a.startsAt : '',
      endsAt: typeof a.endsAt === 'string' ? a.endsAt : '',
    });
  }
  return out;
}

export interface NotificationQuery {
  since?: Date;
  alertname?: string;
  status?: 'firing' | 'resolved';
  limit?: number;
}

export function selectNotifications(all: readonly Notification[], q: NotificationQuery): Notification[] {
  const since = q.since?.getTime();
  const picked = all.filter((n) => (since === undefined || Date.parse(n.receivedAt) >= since)
    && (q.alertname === undefined || n.alertname === q.alertname)
    && (q.status === undefined || n.status === q.status));
  return q.limit === undefined ? picked : picked.slice(-q.limit);
}
