#!/usr/bin/env bash
# A soak for Galera's failure detection (docs/integrity.md, "Failure detection"): the
# simulator drives the running lab at a high sustained rate for SOAK_SECONDS, then every node
# is asked how many views it has seen (wsrep_cluster_conf_id) and its log is searched for
# suspicions and evictions. With the lab's evs settings (mariadb/galera.cnf) no healthy node
# may ever be suspected, nor seen more than a second late (wsrep_evs_delayed, sampled): one
# view change, one suspicion, one late peer, and the soak fails.
#   scripts/galera-soak.sh                 # 600 s at 40 journeys/s on the default lab
#   SOAK_SECONDS=120 SOAK_RATE=20 COMPOSE_PROJECT_NAME=smartshop-chaos API_PORT=18000 scripts/galera-soak.sh
# Sends traffic only to the lab's published API on 127.0.0.1; bounded by SOAK_SECONDS.
set -euo pipefail
cd "$(dirname "$0")/.."
project="${COMPOSE_PROJECT_NAME:-smartshop}"
seconds="${SOAK_SECONDS:-600}"
rate="${SOAK_RATE:-40}"
api="http://127.0.0.1:${API_PORT:-8000}"
out="${SOAK_REPORT:-reports/galera-soak.txt}"
mkdir -p "$(dirname "$out")"

nodes() { docker ps --filter "label=lab.smartshop.project=$project" --filter "label=lab.smartshop.role=galera" --format '{{.Names}}' | grep -E 'mariadb-[0-9]+' | sort; }
# a wsrep status variable of the node, read with the root password the container already holds
status() {
  docker exec "$1" sh -c 'MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb -uroot -N -B -e "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = \"$0\""' "$2"
}
conf_id() { status "$1" WSREP_CLUSTER_CONF_ID; }

mapfile -t galera < <(nodes)
(( ${#galera[@]} == 3 )) || { echo "expected 3 Galera nodes in project $project, found ${#galera[@]}: start the lab first (make up)" >&2; exit 2; }
declare -A before
for n in "${galera[@]}"; do before[$n]="$(conf_id "$n")"; done
since="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "==> soak: $seconds s at $rate journeys/s against $api; views before: $(for n in "${galera[@]}"; do printf '%s=%s ' "$n" "${before[$n]}"; done)"
# near misses: every 5 s, the peers each node saw more than evs.delayed_period (1 s) late
# (wsrep_evs_delayed forgets an entry 30 s after its last delay, so it is sampled, not read once)
late="${out%.txt}-late.log"
sample_late() {
  local n d
  while :; do
    for n in "${galera[@]}"; do
      d="$(status "$n" WSREP_EVS_DELAYED 2>/dev/null || true)"
      [[ -z "$d" ]] || echo "$(date -u +%T) $n saw late: $d"
    done
    sleep 5
  done
}
sample_late > "$late" &
sampler=$!
trap 'kill "$sampler" 2>/dev/null || true' EXIT
node bin/smartshop.js simulate --target "$api" --mode continuous --duration "${seconds}s" --rate "$rate" \
  --error-rate 0 --metrics-port 0 --seed 11 --json > "${out%.txt}-simulator.json"
kill "$sampler" 2>/dev/null || true

sim="${out%.txt}-simulator.json"
failed=0
{
  echo "soak of $project: $seconds s at $rate journeys/s asked, from $since"
  # shellcheck disable=SC2016 # a JavaScript template literal, not the shell's
  node -e 'const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`simulator: ${s.throughput.journeysPerSecond.toFixed(1)} journeys/s, ${s.throughput.requestsPerSecond.toFixed(0)} requests/s sustained (${s.arrivals.dropped} arrivals dropped: the shop was saturated), ${s.requests.total} requests ${JSON.stringify(s.requests.byClass)}, p99 ${(s.latency.p99 * 1000).toFixed(0)} ms`)' "$sim"
  for n in "${galera[@]}"; do
    # a node that does not answer fails the soak, with the rest of the report still written
    after="$(conf_id "$n" 2>/dev/null || echo '?')"
    delayed="$(grep -c " $n saw late" "$late" || true)"
    suspected="$(docker logs --since "$since" "$n" 2>&1 | grep -cE 'suspecting node|declaring inactive|evict|non-Primary' || true)"
    echo "$n: views ${before[$n]} -> $after, suspicions/evictions in its log: $suspected, samples with a peer seen late (wsrep_evs_delayed, every 5 s): $delayed"
    [[ "$after" == "${before[$n]}" && "$suspected" == 0 && "$delayed" == 0 ]] || failed=1
  done
  if (( failed == 0 )); then echo "verdict: no view change, no suspicion, no peer seen late"; else echo "verdict: FAILED (a healthy node was suspected, evicted or seen late, or a node did not answer)"; fi
} > "$out"
cat "$out"
grep -q '^verdict: no view change' "$out"
