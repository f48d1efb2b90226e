#!/usr/bin/env bash
# ci:dashboards — the committed Grafana JSON matches what dashboards/ generates.
export CI_STAGE=dashboards; source "$(dirname "$0")/lib.sh"
"${SMARTSHOP[@]}" dashboards check
