#!/usr/bin/env bash
# ci:dashboards — the committed Grafana JSON matches what dashboards/ generates, and every
# panel query and recording rule returns data from the running lab's Prometheus:
#  1. steady: a backup is taken and the simulator runs (bounded) so that the backup panels,
#     the simulator's own and the injected errors have data, then every query not marked
#     fault-only must return a series;
#  2. faults: a short galera-node-stop drill runs, a fault flag is flipped and a test alert
#     is posted to Alertmanager, and while the fault is active the fault-only queries
#     (chaos_fault_active, injections, DB errors and retries, the flag-change annotation,
#     notifications delivered) must return data too.
# Needs the lab from ci:deploy; every wait is bounded.
export CI_STAGE=dashboards; source "$(dirname "$0")/lib.sh"
"${SMARTSHOP[@]}" dashboards check
if [[ "${VERIFY_DASHBOARDS:-true}" != "true" ]]; then log "VERIFY_DASHBOARDS=${VERIFY_DASHBOARDS}: live verification skipped"; exit 0; fi

PROM="${PROMETHEUS_URL:-http://127.0.0.1:${PROMETHEUS_PORT:-9090}}"
# a drill and the simulator's latency: not beside the other lab's drill (lib.sh)
lab_lock
pids=()
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# Waits (at most $2 seconds) until the PromQL query $1 returns at least one series.
wait_for_series() { "${SMARTSHOP[@]}" dashboards wait "$1" --within "$2" --prometheus "$PROM"; }

log "steady: the simulator for 150 s (5 journeys/s, 10% injected errors, metrics on :9464 for Prometheus) and, beside it, a backup (the Galera dashboard's backup panels)"
"${SMARTSHOP[@]}" simulate --target "$BASE_URL" --mode continuous --duration 150s --rate 5 --error-rate 0.1 --seed 7 --json \
  > "$REPORTS/dashboards-simulator.json" 2> "$REPORTS/dashboards-simulator.log" &
pids+=($!)
"${SMARTSHOP[@]}" backup create > "$REPORTS/dashboards-backup.log" 2>&1 &
backup=$!
pids+=("$backup")
wait_for_series 'simulator_requests_total' 90
since=$(date +%s)
wait "$backup" || { tail -n 20 "$REPORTS/dashboards-backup.log" >&2; exit 1; }
wait_for_series 'smartshop_backup_last_success_timestamp_seconds' 60
# rate() over the verifier's interval needs a few scrapes (every 5 s) of moving counters:
# 40 s of the simulator's, part of them spent on the backup
left=$(( 40 - ($(date +%s) - since) ))
(( left > 0 )) && sleep "$left"
"${SMARTSHOP[@]}" dashboards verify --prometheus "$PROM" --mode steady
# the drill brings its own traffic and judges a steady state: stop ours first
kill -INT "${pids[0]}" 2>/dev/null || true
wait "${pids[0]}" || true

log "faults: a 45 s galera-node-stop drill; fault-only queries are checked while it is active"
"${SMARTSHOP[@]}" chaos run galera-node-stop --yes --duration 45s --rate 3 --report-dir "$REPORTS/chaos" \
  > "$REPORTS/dashboards-drill.log" 2>&1 &
drill=$!
pids+=("$drill")
wait_for_series 'chaos_fault_active == 1' 180
# a flag change (a delay on a route nothing calls) and one notification through
# Alertmanager to the lab's receiver: the events the flag and notification panels show
"${SMARTSHOP[@]}" flags set slowResponses '{"/api/dashboards-check": 1}' >/dev/null
# (Alertmanager is not published: the alert is added from inside its container). Found by
# the lab's own labels: a Swarm task inherits the com.docker.compose.* labels compose put on
# the image it was built as, so with the Swarm lane beside this one those named the Swarm
# lab's Prometheus (a CI run failed so).
am="$(docker ps -q --filter "label=lab.smartshop.project=${COMPOSE_PROJECT_NAME:-smartshop}" --filter label=lab.smartshop.role=alertmanager | head -n 1)"
[[ -n "$am" ]] || { log "no running alertmanager container of lab ${COMPOSE_PROJECT_NAME:-smartshop}: is the lab from ci:deploy up?"; exit 1; }
# (bounded retries: a rehearsal found it refusing connections once; its log then says why)
added=0
for _ in $(seq 1 20); do
  if docker exec "$am" amtool --alertmanager.url=http://127.0.0.1:9093 alert add alertname=DashboardsCheck severity=info lab=smartshop \
    '--annotation=summary=ci:dashboards checks the notification panels' >/dev/null 2>"$REPORTS/dashboards-amtool.err"; then added=1; break; fi
  sleep 3
done
if (( added == 0 )); then
  log "Alertmanager did not take the test alert within 60 s:"; cat "$REPORTS/dashboards-amtool.err" >&2
  docker ps -a --filter "id=$am" >&2; docker logs --tail 30 "$am" >&2 || true
  exit 1
fi
wait_for_series 'console_alert_notifications_total' 60
wait_for_series 'changes(smartshop_feature_flag_value[1m]) > 0' 60
"${SMARTSHOP[@]}" flags reset slowResponses >/dev/null
sleep 20
status=0
"${SMARTSHOP[@]}" dashboards verify --prometheus "$PROM" --mode faults || status=$?
wait "$drill" || { log "the drill itself failed: see $REPORTS/dashboards-drill.log"; tail -n 20 "$REPORTS/dashboards-drill.log" >&2; status=1; }
exit "$status"
