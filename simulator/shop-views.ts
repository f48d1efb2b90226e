// The menu's read-only views of the shop: /api/stats as a readable block, the newest
// activity from /api/logs, and whether the shop answers at all.
import { describeOutcome, type HttpClient } from '../shared/http-client.ts';

export interface Reachability {
  reachable: boolean;
  /** what went wrong when not reachable: "ECONNREFUSED", "timeout after 2000 ms" ... */
  detail: string;
}

/** Any HTTP answer from /api/health counts as reachable (a 503 means the shop is up, its database is not). */
export async function probe(http: HttpClient, attempts = 1, pauseMs = 1000): Promise<Reachability> {
  let detail = '';
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, pauseMs));
    const res = await http.get('/api/health', { timeoutMs: 3000 });
    if (res.kind === 'response') return { reachable: true, detail: `HTTP ${res.status}` };
    detail = describeOutcome(res);
  }
  return { reachable: false, detail };
}

export function unreachableMessage(target: string, detail: string): string {
  return [
    `The shop at ${target} does not answer (${detail}).`,
    'Start the lab with `make up` (or `docker compose up -d --wait`), or run the app alone with `node bin/smartshop.js serve`,',
    'or point the simulator elsewhere with --target URL.',
  ].join('\n');
}

const labels: Record<string, string> = {
  total_users: 'Users (total)',
  active_users_today: 'Active users today',
  active_users_last_hour: 'Active users, last hour',
  orders_last_10min: 'Orders, last 10 min',
  pending_orders: 'Pending orders',
  payments_last_hour: 'Payments, last hour',
  total_success_payments: 'Successful payments (total)',
  total_failed_payments: 'Failed payments (total)',
  revenue_total: 'Revenue (total)',
  revenue_last_hour: 'Revenue, last hour',
};

/** Render /api/stats: known fields with their labels and in a stable order, unknown ones after. */
export function formatStats(stats: unknown): string {
  if (stats === null || typeof stats !== 'object') return `(unexpected /api/stats answer: ${JSON.stringify(stats)})`;
  const entries = Object.entries(stats as Record<string, unknown>);
  const known = Object.keys(labels);
  entries.sort(([a], [b]) => rank(known, a) - rank(known, b));
  const width = Math.max(...entries.map(([k]) => (labels[k] ?? k).length), 10);
  const lines = entries.map(([key, value]) => `  ${(labels[key] ?? key).padEnd(width)}  ${formatValue(key, value)}`);
  const s = stats as Record<string, unknown>;
  const ok = Number(s.total_success_payments);
  const ko = Number(s.total_failed_payments);
  if (Number.isFinite(ok) && Number.isFinite(ko) && ok + ko > 0) {
    lines.push(`  ${'Payment success share'.padEnd(width)}  ${((ok / (ok + ko)) * 100).toFixed(1)}%`);
  }
  return lines.join('\n');
}

function rank(known: string[], key: string): number {
  const i = known.indexOf(key);
  return i === -1 ? known.length : i;
}

function formatValue(key: string, value: unknown): string {
  if (value !== null && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k} ${formatValue(k, v)}`)
      .join(' · ');
  }
  if (key.startsWith('revenue')) {
    const n = Number(value);
    if (Number.isFinite(n)) return `${n.toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} €`;
  }
  if (typeof value === 'number') return value.toLocaleString('en-GB');
  return String(value);
}

/** Render /api/logs entries, newest first as the shop sends them. */
export function formatLogs(body: unknown): string {
  const rec = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  const list: unknown = Array.isArray(body) ? body : (rec?.logs ?? rec?.items ?? rec?.entries);
  if (!Array.isArray(list)) return `(unexpected /api/logs answer: ${JSON.stringify(body).slice(0, 200)})`;
  if (list.length === 0) return '  (no activity yet)';
  return list
    .map((entry) => {
      if (entry === null || typeof entry !== 'object') return `  ${String(entry)}`;
      const e = entry as Record<string, unknown>;
      const at = text(e.created_at ?? e.timestamp ?? e.time);
      const level = text(e.level).toUpperCase();
      const event = text(e.event ?? e.type);
      const message = text(e.message ?? e.msg);
      return `  ${at.replace('T', ' ').replace(/\.\d+Z?$/, '')}  ${level.padEnd(6)}  ${event.padEnd(18)}  ${message}`;
    })
    .join('\n');
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === undefined || value === null ? '' : JSON.stringify(value);
}
