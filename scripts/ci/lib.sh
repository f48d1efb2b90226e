# shellcheck shell=bash
# Sourced by every scripts/ci/*.sh: repo root, reports folder, the lab's URLs from the
# same env vars docker-compose.yml reads. Not executable on its own.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
REPORTS="${REPORTS_DIR:-$ROOT/reports}"
mkdir -p "$REPORTS"
export BASE_URL="${BASE_URL:-http://127.0.0.1:${API_PORT:-8000}}"
# shellcheck disable=SC2034 # used by the stage scripts that source this file
SMARTSHOP=(node "$ROOT/bin/smartshop.js")

log() { printf '==> [ci:%s] %s\n' "${CI_STAGE:-?}" "$*" >&2; }

# .ci/run runs two labs side by side on two cores (the pipeline's compose lab, then Ansible's,
# beside the Swarm stack). A drill or a load test judges latency and recovery, so it must not
# share the machine with the other lab's drill or start: rehearsals that let them overlap
# failed on the overlap, never alone (a node not back in time, the edge's 503s, a smoke's
# p95 beside the Swarm stack's start). Such work takes this lock first, exclusively. A lab's
# start takes it shared (`lab_lock --shared`): the two labs' starts, which mostly wait on
# Galera and the broker, may overlap each other, never a judged part. .ci/run sets
# CI_LAB_LOCK, and without it (Jenkins runs one stage at a time, a person) lab_lock does
# nothing. The lock goes with the script's exit, or lab_unlock.
# shellcheck disable=SC2120 # its one argument is optional: --shared
lab_lock() {
  [[ -n "${CI_LAB_LOCK:-}" ]] || return 0
  local asked mode=-x how=""; asked=$(date +%s)
  if [[ "${1:-}" == --shared ]]; then mode=-s; how=" (shared with the other lab's start)"; fi
  exec 9>"$CI_LAB_LOCK"
  # bounded: a holder that hangs costs this stage its isolation, not the run
  if flock "$mode" -w "${CI_LAB_LOCK_WAIT:-1200}" 9; then
    log "the machine is this lab's now$how (waited $(( $(date +%s) - asked )) s for the other lab's drill or start)"
  else
    log "waited $(( $(date +%s) - asked )) s for the other lab: going on beside it"
  fi
}
lab_unlock() {
  [[ -n "${CI_LAB_LOCK:-}" ]] || return 0
  flock -u 9 2>/dev/null || true
  exec 9>&-
}
