// What the steady-state hypothesis asks Prometheus (through shared/prometheus.ts).

/**
 * The window of the steady state's error ratio and p99: four of Prometheus's 5 s scrapes, so a
 * rate always has samples, and no longer: the steady state before a drill and its recovery
 * after one both wait until the last slow request has left the window. With 30 s windows a
 * rehearsal spent 6–26 s before nine of its 27 drills on the previous drill's tail alone
 * ("waiting for the steady state: p99 latency … 2386 ms"), and recoveries waited on it too.
 */
export const STEADY_WINDOW = '20s';
/** Server-side errors of the shop, without the routes that fail on purpose (/api/errors/*). */
export const ERROR_RATIO_QUERY =
  `sum(rate(http_requests_total{status_code=~"5..",route!~"/api/errors.*"}[${STEADY_WINDOW}])) / sum(rate(http_requests_total{route!~"/api/errors.*"}[${STEADY_WINDOW}]))`;
export const P99_QUERY =
  `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{route!~"/api/errors.*"}[${STEADY_WINDOW}])))`;
