#!/usr/bin/env bash
# A soak for Galera's failure detection (docs/integrity.md, "Failure detection"): the
# simulator drives the running lab at a high sustained rate for SOAK_SECONDS, then every node
# is asked how many views it has seen (wsrep_cluster_conf_id) and its log is searched for
# suspicions and evictions. With the lab's evs settings (mariadb/galera.cnf) no healthy node
# may ever be suspected: one view change, one suspicion, and the soak fails.
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

nodes() { docker ps --filter "label=com.docker.compose.project=$project" --filter "label=com.docker.compose.service" --format '{{.Names}}' | grep -E 'mariadb-[0-9]+' | sort; }
# the node's own view counter, read with the root password the container already holds
conf_id() {
  docker exec "$1" sh -c 'MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb -uroot -N -B -e "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = \"WSREP_CLUSTER_CONF_ID\""'
}

mapfile -t galera < <(nodes)
(( ${#galera[@]} == 3 )) || { echo "expected 3 Galera nodes in project $project, found ${#galera[@]}: start the lab first (make up)" >&2; exit 2; }
declare -A before
for n in "${galera[@]}"; do before[$n]="$(conf_id "$n")"; done
since="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "==> soak: $seconds s at $rate journeys/s against $api; views before: $(for n in "${galera[@]}"; do printf '%s=%s ' "$n" "${before[$n]}"; done)"
node bin/smartshop.js simulate --target "$api" --mode continuous --duration "${seconds}s" --rate "$rate" \
  --error-rate 0 --metrics-port 0 --seed 11 --json > "${out%.txt}-simulator.json"

sim="${out%.txt}-simulator.json"
failed=0
{
  echo "soak of $project: $seconds s at $rate journeys/s asked, from $since"
  # shellcheck disable=SC2016 # a JavaScript template literal, not the shell's
  node -e 'const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`simulator: ${s.throughput.journeysPerSecond.toFixed(1)} journeys/s, ${s.throughput.requestsPerSecond.toFixed(0)} requests/s sustained (${s.arrivals.dropped} arrivals dropped: the shop was saturated), ${s.requests.total} requests ${JSON.stringify(s.requests.byClass)}, p99 ${(s.latency.p99 * 1000).toFixed(0)} ms`)' "$sim"
  for n in "${galera[@]}"; do
    after="$(conf_id "$n")"
    suspected="$(docker logs --since "$since" "$n" 2>&1 | grep -cE 'suspecting node|evict|declaring inactive|went non-primary' || true)"
    echo "$n: views ${before[$n]} -> $after ($(( after - before[$n] )) change(s)), suspicions/evictions in its log: $suspected"
    (( after == before[$n] && suspected == 0 )) || failed=1
  done
  if (( failed == 0 )); then echo "verdict: no view change, no suspicion"; else echo "verdict: FAILED (a healthy node was suspected or evicted)"; fi
} > "$out"
cat "$out"
grep -q '^verdict: no view change' "$out"
