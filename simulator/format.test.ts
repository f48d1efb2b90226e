import { describe, expect, it } from 'vitest';
import { clock, ms, pct, statusLine } from './format.ts';
import type { RunSummary } from './engine/run.ts';
import { formatStats, formatLogs } from './shop-views.ts';

function summary(elapsedSeconds: number, total: number): RunSummary {
  const p = { count: total, p50: 0.012, p95: 0.2, p99: 1.5, min: 0.001, max: 2, mean: 0.05 };
  return {
    elapsedSeconds,
    requests: { total, byOutcome: {}, byClass: { '2xx': total - 3, '3xx': 0, '4xx': 2, '5xx': 1 }, timeouts: 1, connectionErrors: 2, errorCodes: {}, retries: 0 },
    latency: p,
    journeys: { started: 10, completed: 7, failed: 1, dropped: 2, stopped: 0 },
    arrivals: { scheduled: 12, started: 10, dropped: 2 },
    paymentSuccessShare: 0.8,
  } as unknown as RunSummary;
}

describe('format', () => {
  it('renders small units', () => {
    expect(ms(0.0123)).toBe('12.3ms');
    expect(ms(1.5)).toBe('1500ms');
    expect(pct(null)).toBe('–');
    expect(pct(0.8)).toBe('80.0%');
    expect(clock(59)).toBe('0:59');
    expect(clock(3725)).toBe('1:02:05');
  });

  it('status line shows the current rate between two snapshots, percentiles and outcomes', () => {
    const line = statusLine(summary(12, 300), summary(10, 200));
    for (const part of [
      '50.0 req/s',
      'p50 12.0ms p95 200ms p99 1500ms',
      '2xx 297 4xx 2 5xx 1 timeout/err 3',
      '2 dropped',
      'pay ok 80.0%',
      '0:12',
    ]) expect(line).toContain(part);
  });

  it('formats /api/stats with labels in a stable order and the payment share', () => {
    const text = formatStats({ revenue_total: 1234.5, total_users: 1200, payments_last_hour: { success: 8, failed: 2 }, total_success_payments: 80, total_failed_payments: 20, extra: 'x' });
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/Users \(total\)\s+1,200/);
    expect(text).toMatch(/Payments, last hour\s+success 8 · failed 2/);
    expect(text).toMatch(/Revenue \(total\)\s+1,234\.50 €/);
    expect(text).toMatch(/extra\s+x/);
    expect(text).toMatch(/Payment success share\s+80\.0%/);
  });

  it('formats log rows and survives odd answers', () => {
    expect(formatLogs([{ created_at: '2026-01-02T03:04:05.678Z', level: 'low', event: 'user.created', message: 'User created: A' }])).toMatch(
      /2026-01-02 03:04:05\s+LOW\s+user\.created\s+User created: A/,
    );
    expect(formatLogs([])).toContain('no activity');
    expect(formatLogs({ nope: 1 })).toContain('unexpected');
  });
});
