#!/usr/bin/env bash
# The lab on Docker Swarm: the `smartshop stack up --swarm` equivalent.
#   scripts/swarm-deploy.sh up     deploy (or update) the stack, wait until it serves
#   scripts/swarm-deploy.sh down   remove the stack (DELETE_VOLUMES=1 also deletes data)
#   scripts/swarm-deploy.sh status services and tasks
# Env: STACK_NAME (smartshop), EDGE_PORT, API_PORT, UI_PORT, MYSQL_PORT, HAPROXY_STATS_PORT,
# PROMETHEUS_PORT, APP_REPLICAS (3), SWARM_WAIT_SECONDS (480), SWARM_INIT=1 (make this engine
# a one-node swarm when it is not in one), SWARM_PUBLISH_OPS=1 (publish MySQL, HAProxy's stats,
# Prometheus, Alertmanager and the console too: on every interface, as Swarm publishes;
# without it only the edge's API and UI are published).
# SHOP_HOSTNAMES: the names users reach the edge by (the shop refuses unknown Host names).
# On a one-node swarm every placement label goes on that node; on several nodes, label
# them yourself first (see the header of swarm/docker-stack.yml).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# .env as compose reads it (docker stack deploy does not): a variable already set wins
if [[ -f "$ROOT/.env" ]]; then
  while IFS= read -r line || [[ -n "$line" ]]; do
    [[ "$line" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || continue
    key="${line%%=*}" val="${line#*=}"
    val="${val%\"}" && val="${val#\"}"
    [[ -n "${!key+x}" ]] || export "$key=$val"
  done < "$ROOT/.env"
fi
STACK_NAME="${STACK_NAME:-smartshop}"
export STACK_NAME
# The stack file has no default passwords; `smartshop stack up --swarm` (or `make up` once)
# writes random ones into .env.
for secret in MARIADB_ROOT_PASSWORD DB_PASSWORD DB_MIGRATION_PASSWORD MARIADB_SST_PASSWORD MARIADB_EXPORTER_PASSWORD ALERT_WEBHOOK_TOKEN \
  RABBITMQ_COOKIE RABBITMQ_ADMIN_PASSWORD RABBITMQ_SHOP_PASSWORD RABBITMQ_WORKER_PASSWORD; do
  if [[ "${1:-}" == up && -z "${!secret:-}" ]]; then
    echo "$secret is not set: run 'smartshop stack up --swarm' (it writes random passwords into .env) or set it in .env" >&2
    exit 2
  fi
done
STACK_FILES=(-c "$ROOT/swarm/docker-stack.yml")
[[ "${SWARM_PUBLISH_OPS:-0}" == 1 ]] && STACK_FILES+=(-c "$ROOT/swarm/docker-stack.ops-ports.yml")
WAIT="${SWARM_WAIT_SECONDS:-480}"
API_URL="http://127.0.0.1:${API_PORT:-8000}"
say() { printf '==> [swarm] %s\n' "$*" >&2; }

swarm_state() { docker info --format '{{.Swarm.LocalNodeState}}'; }

ensure_swarm() {
  if [[ "$(swarm_state)" == active ]]; then return; fi
  if [[ "${SWARM_INIT:-0}" != 1 ]]; then
    echo "this engine is not in a swarm: run 'docker swarm init' (or SWARM_INIT=1 $0 up)" >&2; exit 1
  fi
  say "docker swarm init (one-node swarm)"
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
}

label_single_node() {
  local nodes; nodes="$(docker node ls -q | wc -l)"
  [[ "$nodes" == 1 ]] || { say "$nodes nodes: using the labels already set"; return; }
  local node; node="$(docker node ls -q)"
  say "one-node swarm: all placement labels on $node"
  docker node update --label-add smartshop.galera-1=true --label-add smartshop.galera-2=true \
    --label-add smartshop.galera-3=true --label-add smartshop.app=true --label-add smartshop.edge=true "$node" >/dev/null
}

# Virtual IPs need the kernel's IPVS; where it is missing (some VMs), the edge is reached by
# DNS instead (its ports are published in host mode either way: swarm/docker-stack.yml).
ipvs_available() { [[ -e /proc/net/ip_vs ]] || modprobe -q ip_vs 2>/dev/null; }

# The fulfilment queues, once the workers declared them, with a replica on every broker node
# (as `smartshop stack up` makes sure on compose): a quorum queue declared while a node was
# still joining has fewer members, and RabbitMQ 3.10 never adds them by itself, so one
# node's loss would be a queue's. Asked inside this machine's rabbitmq-1 task (a one-node
# swarm; on several machines it says so and leaves it to `rabbitmq-queues grow` by hand).
queues_replicated() {
  local c members
  c="$(docker ps -q --filter "label=com.docker.swarm.service.name=${STACK_NAME}_rabbitmq-1" | head -n 1)"
  if [[ -z "$c" ]]; then say "rabbitmq-1 runs on another machine: check the queues' replicas there (rabbitmq-queues grow)"; return 0; fi
  members="$(docker exec "$c" rabbitmqctl -q list_queues --no-table-headers name members 2>/dev/null | grep '^fulfilment')" || return 1
  [[ "$(grep -c . <<<"$members")" -ge 2 ]] || return 1 # not declared yet: the workers do it on connecting
  local line n short=0
  while read -r line; do
    for n in 1 2 3; do [[ "$line" == *"rabbit@rabbitmq-$n"* ]] || short=1; done
  done <<<"$members"
  if [[ "$short" == 1 ]]; then
    for n in 1 2 3; do
      docker exec "$c" rabbitmq-queues grow "rabbit@rabbitmq-$n" all --vhost-pattern '^/$' --queue-pattern '^fulfilment' >/dev/null 2>&1 || true
    done
    return 1 # asked again on the next round
  fi
  say "fulfilment queues: a replica on each of the 3 broker nodes"
}

# Each service's replicas ("3/3"), by its name without the stack's prefix, from ONE call
# per poll: a docker CLI call costs about 0.1 s of CPU here, and the wait below polls every
# 3 s beside the other CI lane's lab (it made 13 calls a poll before).
declare -A REPLICAS=()
read_replicas() {
  REPLICAS=()
  local name count
  while read -r name count; do
    [[ -n "$name" ]] && REPLICAS["${name#"${STACK_NAME}_"}"]="$count"
  done < <(docker stack services --format '{{.Name}} {{.Replicas}}' "$STACK_NAME" 2>/dev/null || true)
}
replicas_of() { printf '%s' "${REPLICAS[$1]:-?}"; }
# services short of their replica count ("console 0/1"), the monitoring included
short_services() {
  local name out=""
  for name in $(printf '%s\n' "${!REPLICAS[@]}" | sort); do
    [[ "${REPLICAS[$name]%%/*}" == "${REPLICAS[$name]#*/}" ]] || out+="$name ${REPLICAS[$name]} "
  done
  printf '%s' "$out"
}

# The edge trusts X-SmartShop-Client from docker_gwbridge's gateway (edge/start.sh); on a node
# where docker-proxy also listens on [::], an IPv6 client of another machine arrives from that
# gateway too (docs/edge.md, "Who is a client").
ipv6_warning() {
  local port="${EDGE_PORT:-8080}"
  command -v ss >/dev/null 2>&1 || return 0
  if ss -Hltn "sport = :$port" 2>/dev/null | grep -q '\[::'; then
    say "warning: the edge's port $port also listens on IPv6 ([::]): another machine's IPv6 clients would be taken for this machine's; firewall it (docs/edge.md, \"Who is a client\")"
  fi
}

wait_ready() {
  local want="${APP_REPLICAS:-3}" workers="${WORKER_REPLICAS:-5}" deadline=$(( $(date +%s) + WAIT )) last=""
  while (( $(date +%s) < deadline )); do
    read_replicas
    local line
    line="app $(replicas_of app) edge $(replicas_of edge) galera $(replicas_of mariadb-1) $(replicas_of mariadb-2) $(replicas_of mariadb-3) haproxy $(replicas_of haproxy)"
    line+=" rabbitmq $(replicas_of rabbitmq-1) $(replicas_of rabbitmq-2) $(replicas_of rabbitmq-3) worker $(replicas_of worker)"
    local short; short="$(short_services)"
    [[ -z "$short" ]] || line+=" (not yet: ${short% })"
    [[ "$line" != "$last" ]] && say "$line" && last="$line"
    # the whole lab, not just the shop: every service at its replica count (Galera and broker
    # nodes, HAProxy, workers, the console and the monitoring), the shop ready, the fulfilment
    # queues replicated on every broker node
    if [[ "$line" == "app $want/$want edge 1/1 galera 1/1 1/1 1/1 haproxy 1/1 rabbitmq 1/1 1/1 1/1 worker $workers/$workers" ]] \
      && curl -fsS --max-time 3 -H "X-SmartShop-Client: lab-deploy" "$API_URL/api/ready" >/dev/null 2>&1 && queues_replicated; then
      ipv6_warning
      say "stack $STACK_NAME is up ($want app replicas, 3 Galera nodes, 3 broker nodes, $workers workers):"
      say "  Shop          http://127.0.0.1:${EDGE_PORT:-8080}/   (web UI; the API under /api/; through the edge, with per-client rate limits)"
      say "  shop API      $API_URL   (try $API_URL/api/stats; the edge too)"
      say "  shop UI       http://127.0.0.1:${UI_PORT:-3000}/"
      if [[ "${SWARM_PUBLISH_OPS:-0}" == 1 ]]; then
        say "  Prometheus    http://127.0.0.1:${PROMETHEUS_PORT:-9090}/"
        say "  HAProxy stats http://127.0.0.1:${HAPROXY_STATS_PORT:-8404}/"
        say "  MySQL         127.0.0.1:${MYSQL_PORT:-3306} (through HAProxy)"
        say "  drills        smartshop chaos run galera-node-kill --project $STACK_NAME"
      else
        say "  only the edge is published; SWARM_PUBLISH_OPS=1 publishes MySQL, Prometheus and the rest (the drills need them)"
      fi
      return 0
    fi
    sleep 3
  done
  echo "stack $STACK_NAME not ready after ${WAIT}s" >&2
  # the tasks that did not start, with the engine's reason (a port taken, a missing image...)
  docker stack ps --no-trunc --format '{{.Name}} {{.CurrentState}} {{.Error}}' "$STACK_NAME" | grep -v ' Running ' | head -n 30 >&2 || true
  return 1
}

case "${1:-up}" in
  up)
    ensure_swarm
    label_single_node
    if [[ -z "${EDGE_ENDPOINT_MODE:-}" ]] && ! ipvs_available; then
      say "no IPVS in this kernel: the edge's endpoint_mode is dnsrr"
      export EDGE_ENDPOINT_MODE=dnsrr
    fi
    # the configs' names carry their files' digest (swarm/docker-stack.yml): a changed file
    # is a new config, which a running stack's services then move to
    # (the edge's files by edge/config-digest.sh, the digest compose and Ansible recreate it by)
    SWARM_CONFIG_DIGEST="$({ cat "$ROOT/prometheus/prometheus.yml" "$ROOT/alertmanager/alertmanager.yml" \
      "$ROOT/prometheus/rules/smartshop-alerts.yml" "$ROOT/prometheus/rules/infrastructure-alerts.yml"; \
      "$ROOT/edge/config-digest.sh"; } | sha256sum | cut -c1-12)"
    export SWARM_CONFIG_DIGEST
    say "docker stack deploy $STACK_NAME"
    # local images only: never ask a registry for their digests
    docker stack deploy --resolve-image never --prune "${STACK_FILES[@]}" "$STACK_NAME"
    wait_ready
    ;;
  down)
    say "docker stack rm $STACK_NAME"
    docker stack rm "$STACK_NAME" >/dev/null 2>&1 || true
    for _ in $(seq 1 60); do
      [[ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=$STACK_NAME")" ]] && break
      sleep 2
    done
    # networks go a moment after the containers
    for _ in $(seq 1 30); do
      [[ -z "$(docker network ls -q --filter "label=com.docker.stack.namespace=$STACK_NAME")" ]] && break
      sleep 1
    done
    if [[ "${DELETE_VOLUMES:-0}" == 1 ]]; then
      docker volume ls -q --filter "label=com.docker.stack.namespace=$STACK_NAME" | xargs -r docker volume rm >/dev/null
    fi
    ;;
  status)
    docker stack services "$STACK_NAME"
    docker stack ps "$STACK_NAME"
    ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
