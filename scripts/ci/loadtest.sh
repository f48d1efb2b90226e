#!/usr/bin/env bash
# ci:loadtest — a short constant-arrival-rate run (RATE journeys/s for DURATION); k6 exits
# 99 when a threshold fails, which fails the stage. Summary JSON archived by Jenkins.
# CI budgets are looser than the scripts' defaults (p95 1.5 s, p99 4 s): a 2-core CI box runs
# the whole lab beside k6. Override with P95_MS / P99_MS.
# K6_PROMETHEUS_RW_SERVER_URL set => the run is also written into the lab's Prometheus.
export CI_STAGE=loadtest; source "$(dirname "$0")/lib.sh"
mkdir -p "$REPORTS/k6"
out=()
if [[ -n "${K6_PROMETHEUS_RW_SERVER_URL:-}" ]]; then out=(-o experimental-prometheus-rw); fi
"$(k6_bin)" run --quiet --no-usage-report "${out[@]}" \
  -e RATE="${RATE:-2}" -e DURATION="${DURATION:-60s}" -e P95_MS="${P95_MS:-1500}" -e P99_MS="${P99_MS:-4000}" -e TEST_ID="ci-${BUILD_NUMBER:-local}" \
  --summary-export "$REPORTS/k6/load-summary.json" loadtest/load.ts
