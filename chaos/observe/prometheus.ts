// A tiny Prometheus instant-query client for the steady-state hypothesis. Best effort:
// when Prometheus does not answer, callers fall back to direct probes.

export async function promQuery(baseUrl: string, expr: string, timeoutMs = 3_000): Promise<number | undefined> {
  try {
    const url = `${baseUrl.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(expr)}`;
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { status?: string; data?: { result?: { value?: [number, string] }[] } };
    if (body.status !== 'success') return undefined;
    const first = body.data?.result?.[0]?.value?.[1];
    if (first === undefined) return undefined; // no series yet: no traffic in the window
    const n = Number(first);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

export async function prometheusAnswers(baseUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl.replace(/\/+$/, '')}/-/ready`, { signal: AbortSignal.timeout(2_000) });
    return res.ok;
  } catch {
    return false;
  }
}

// 30 s windows: short enough that a lab settles soon after a previous drill, long enough
// to hold a few scrapes.
/** Server-side errors of the shop, without the routes that fail on purpose (/api/errors/*). */
export const ERROR_RATIO_QUERY =
  'sum(rate(http_requests_total{status_code=~"5..",route!~"/api/errors.*"}[30s])) / sum(rate(http_requests_total{route!~"/api/errors.*"}[30s]))';
export const P99_QUERY =
  'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{route!~"/api/errors.*"}[30s])))';
