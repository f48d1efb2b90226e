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
