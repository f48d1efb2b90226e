#!/usr/bin/env bash
# ci:smoke — the smoke profile against the deployed shop (BASE_URL): every endpoint once,
# then a few journeys; a failed check or a crossed threshold fails the stage (exit 1).
# JUnit and the JSON summary land in reports/loadtest/ for Jenkins.
export CI_STAGE=smoke; source "$(dirname "$0")/lib.sh"
mkdir -p "$REPORTS/loadtest"
# latency thresholds: not beside the other lab's start or drill (lib.sh)
lab_lock
"${SMARTSHOP[@]}" simulate --profile smoke --target "$BASE_URL" --metrics-port 0 --seed 1 \
  --junit "$REPORTS/loadtest/smoke-junit.xml" --json > "$REPORTS/loadtest/smoke-summary.json"
