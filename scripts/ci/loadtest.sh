#!/usr/bin/env bash
# ci:loadtest — the load profile (a constant arrival rate) at RATE journeys/s for DURATION,
# gated by thresholds (metric:aggregation<op>value); a crossed one exits 1, which fails the stage.
# CI budgets are looser than the profile's (p95 1.5 s, p99 4 s): a 2-core CI box runs the
# whole lab beside the load. Override with P95_MS / P99_MS / MAX_FAILED_RATE.
# JUnit and the JSON summary land in reports/loadtest/ for Jenkins.
export CI_STAGE=loadtest; source "$(dirname "$0")/lib.sh"
mkdir -p "$REPORTS/loadtest"
# latency thresholds: not beside the other lab's drill (lib.sh)
lab_lock
"${SMARTSHOP[@]}" simulate --profile load --rate "${RATE:-2}" --duration "${DURATION:-60s}" \
  --target "$BASE_URL" --metrics-port 0 --seed "${BUILD_NUMBER:-7}" \
  --threshold "http_req_duration:p(95)<${P95_MS:-1500}" \
  --threshold "http_req_duration:p(99)<${P99_MS:-4000}" \
  --threshold "http_req_failed:rate<${MAX_FAILED_RATE:-0.01}" \
  --threshold 'journeys_completed:rate>0.95' \
  --junit "$REPORTS/loadtest/load-junit.xml" --html "$REPORTS/loadtest/load-report.html" --json > "$REPORTS/loadtest/load-summary.json"
