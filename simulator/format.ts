// Human-readable renderings of a run: the one-line live status and the end-of-run summary.
// Pure string functions (no colours, no terminal calls) so they are testable and can go
// to stdout or stderr as the caller decides.
import type { RunSummary } from './engine/run.ts';

export function ms(seconds: number): string {
  const v = seconds * 1000;
  return v >= 100 ? `${v.toFixed(0)}ms` : `${v.toFixed(1)}ms`;
}

export function pct(share: number | null): string {
  return share === null ? '–' : `${(share * 100).toFixed(1)}%`;
}

export function clock(seconds: number): string {
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** The live line; `previous` (the last snapshot drawn) gives the current request rate. */
export function statusLine(now: RunSummary, previous?: RunSummary): string {
  const dt = previous ? now.elapsedSeconds - previous.elapsedSeconds : now.elapsedSeconds;
  const dn = now.requests.total - (previous?.requests.total ?? 0);
  const rate = dt > 0 ? dn / dt : 0;
  const c = now.requests.byClass;
  const errors = now.requests.timeouts + now.requests.connectionErrors;
  return [
    `⏱ ${clock(now.elapsedSeconds)}`,
    `${rate.toFixed(1)} req/s`,
    `journeys ${now.journeys.completed}✓ ${now.journeys.failed}✗${now.journeys.limited ? ` ${now.journeys.limited} limited` : ''}${now.arrivals.dropped ? ` ${now.arrivals.dropped} dropped` : ''}`,
    `p50 ${ms(now.latency.p50)} p95 ${ms(now.latency.p95)} p99 ${ms(now.latency.p99)}`,
    `2xx ${c['2xx']} 4xx ${c['4xx']} 5xx ${c['5xx']} timeout/err ${errors}${now.requests.limited ? ` limited ${now.requests.limited}` : ''}`,
    `pay ok ${pct(now.paymentSuccessShare)}`,
  ].join(' │ ');
}

export function formatSummary(s: RunSummary): string {
  const lines: string[] = [];
  const c = s.requests.byClass;
  lines.push(`Run ${s.mode ?? ''} against ${s.target} — ${clock(s.elapsedSeconds)} (${s.elapsedSeconds.toFixed(1)} s), seed ${s.seed}, ended: ${s.stopReason ?? 'running'}`);
  lines.push(`  journeys   ${s.journeys.started} started, ${s.journeys.completed} completed, ${s.journeys.failed} failed, ${s.journeys.limited} limited, ${s.journeys.stopped} stopped, ${s.arrivals.dropped} dropped (cap ${s.config.concurrency})`);
  lines.push(`  requests   ${s.requests.total} (${s.throughput.requestsPerSecond.toFixed(1)}/s): 2xx ${c['2xx']}, 3xx ${c['3xx']}, 4xx ${c['4xx']}, 5xx ${c['5xx']}, timeouts ${s.requests.timeouts}, connection errors ${s.requests.connectionErrors}, retries ${s.requests.retries}, limited at the edge ${s.requests.limited}`);
  const codes = Object.entries(s.requests.byOutcome).map(([k, v]) => `${k}: ${v}`).join(', ');
  if (codes) lines.push(`  by outcome ${codes}`);
  const errs = Object.entries(s.requests.errorCodes).map(([k, v]) => `${k}: ${v}`).join(', ');
  if (errs) lines.push(`  net errors ${errs}`);
  lines.push(`  latency    p50 ${ms(s.latency.p50)}, p95 ${ms(s.latency.p95)}, p99 ${ms(s.latency.p99)}, max ${ms(s.latency.max)}`);
  lines.push(`  payments   ${s.payments.success} success, ${s.payments.failed} failed → ${pct(s.paymentSuccessShare)} success (asked ${pct(s.config.mix.paymentSuccess)})`);
  const f = s.fulfilment;
  if (f.waited > 0) lines.push(`  fulfilment ${f.waited} paid orders waited on: ${f.fulfilled} shipped (lag p50 ${ms(f.lag.p50)}, p99 ${ms(f.lag.p99)}), ${f.timedOut} not within 10 s`);
  lines.push(`  injected   ${s.injectedErrors.sent} errors (${Object.entries(s.injectedErrors.byKind).map(([k, v]) => `${k}: ${v}`).join(', ') || 'none'})`);
  lines.push(`  ledger     ${s.ledger.users} users, ${s.ledger.orders} orders, ${s.ledger.payments} payments acknowledged; ${s.ledger.uncertain} writes of unknown fate${s.ledger.limited ? `; ${s.ledger.limited} writes refused by the edge's rate limit (not applied)` : ''}`);
  const rows = Object.entries(s.endpoints);
  if (rows.length > 0) {
    const width = Math.max(...rows.map(([name]) => name.length));
    lines.push('', `  ${'endpoint'.padEnd(width)}  ${'count'.padStart(6)}  ${'p50'.padStart(8)}  ${'p95'.padStart(8)}  ${'p99'.padStart(8)}  outcomes`);
    for (const [name, ep] of rows) {
      const outcomes = Object.entries(ep.outcomes).map(([k, v]) => `${k}×${v}`).join(' ');
      lines.push(`  ${name.padEnd(width)}  ${String(ep.requests).padStart(6)}  ${ms(ep.latency.p50).padStart(8)}  ${ms(ep.latency.p95).padStart(8)}  ${ms(ep.latency.p99).padStart(8)}  ${outcomes}`);
    }
  }
  for (const w of s.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}
