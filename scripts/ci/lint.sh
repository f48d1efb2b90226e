#!/usr/bin/env bash
# ci:lint — types and lint of the whole repo.
export CI_STAGE=lint; source "$(dirname "$0")/lib.sh"
npm run check
