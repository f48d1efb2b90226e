#!/usr/bin/env bash
# ci:install — npm packages exactly as locked.
export CI_STAGE=install; source "$(dirname "$0")/lib.sh"
npm ci --no-audit --no-fund
