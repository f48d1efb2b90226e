#!/usr/bin/env bash
# ci:checkout — record what is being built (commit, tool versions) in reports/build-info.txt;
# fails early when a tool the pipeline needs is missing on the agent.
export CI_STAGE=checkout; source "$(dirname "$0")/lib.sh"
{
  echo "commit: $(git rev-parse HEAD 2>/dev/null || echo unknown)"
  echo "date: $(date -u +%FT%TZ)"
  echo "node: $(node --version)"
  echo "npm: $(npm --version)"
  echo "docker: $(docker version --format '{{.Server.Version}}' 2>/dev/null || echo 'engine not running (make host starts it)')"
  echo "compose: $(docker compose version --short 2>/dev/null || echo missing)"
} | tee "$REPORTS/build-info.txt"
command -v node >/dev/null && command -v docker >/dev/null
