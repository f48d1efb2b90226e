#!/usr/bin/env bash
# ci:smoke — k6 smoke script against the deployed shop (BASE_URL); thresholds gate.
export CI_STAGE=smoke; source "$(dirname "$0")/lib.sh"
mkdir -p "$REPORTS/k6"
"$(k6_bin)" run --quiet --no-usage-report --summary-export "$REPORTS/k6/smoke-summary.json" loadtest/smoke.ts
