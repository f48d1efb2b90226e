// What the steady-state hypothesis asks Prometheus (through shared/prometheus.ts).

// 30 s windows: short enough that a lab settles soon after a previous drill, long enough
// to hold a few scrapes.
/** Server-side errors of the shop, without the routes that fail on purpose (/api/errors/*). */
export const ERROR_RATIO_QUERY =
  'sum(rate(http_requests_total{status_code=~"5..",route!~"/api/errors.*"}[30s])) / sum(rate(http_requests_total{route!~"/api/errors.*"}[30s]))';
export const P99_QUERY =
  'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{route!~"/api/errors.*"}[30s])))';
