#!/usr/bin/env bash
# ci:install — npm packages exactly as locked, and k6 (built from its Go module once, cached).
export CI_STAGE=install; source "$(dirname "$0")/lib.sh"
npm ci --no-audit --no-fund
log "k6: $(k6_bin)"
