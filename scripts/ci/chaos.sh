#!/usr/bin/env bash
# ci:chaos — one drill as a gate: kill a Galera node under traffic; the drill's verdict
# (no acknowledged write lost, recovery in time) is its exit code. Reports in reports/chaos.
export CI_STAGE=chaos; source "$(dirname "$0")/lib.sh"
if [[ "${RUN_CHAOS:-true}" != "true" ]]; then log "RUN_CHAOS=${RUN_CHAOS}: skipped"; exit 0; fi
lab_lock
# the index lists this stage's reports only (a workspace kept between builds holds older ones)
mkdir -p "$REPORTS/chaos"
since=$(mktemp)
rc=0
"${SMARTSHOP[@]}" chaos run "${CHAOS_DRILL:-galera-node-kill}" --yes \
  --rate "${CHAOS_RATE:-5}" --report-dir "$REPORTS/chaos" || rc=$?
# Jenkins publishes reports/chaos/index.html (HTML Publisher): a link to each drill's page.
# Report names are a timestamp and a drill name ([0-9A-Za-z-]): nothing to escape.
{
  echo '<!doctype html><meta charset="utf-8"><title>Drill reports</title><h1>Drill reports</h1><ul>'
  for f in "$REPORTS"/chaos/*.html; do
    n=$(basename "$f")
    [[ -e "$f" && "$n" != index.html && "$f" -nt "$since" ]] && echo "<li><a href=\"$n\">${n%.html}</a></li>"
  done
  echo '</ul>'
} > "$REPORTS/chaos/index.html"
rm -f "$since"
exit "$rc"
