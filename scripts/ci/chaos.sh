#!/usr/bin/env bash
# ci:chaos — one drill as a gate: kill a Galera node under traffic; the drill's verdict
# (no acknowledged write lost, recovery in time) is its exit code. Reports in reports/chaos.
export CI_STAGE=chaos; source "$(dirname "$0")/lib.sh"
if [[ "${RUN_CHAOS:-true}" != "true" ]]; then log "RUN_CHAOS=${RUN_CHAOS}: skipped"; exit 0; fi
lab_lock
"${SMARTSHOP[@]}" chaos run "${CHAOS_DRILL:-galera-node-kill}" --yes \
  --rate "${CHAOS_RATE:-5}" --report-dir "$REPORTS/chaos"
