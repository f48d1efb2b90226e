#!/usr/bin/env bash
# ci:lint — types and lint of the whole repo, and the k6 scripts' own type environment.
export CI_STAGE=lint; source "$(dirname "$0")/lib.sh"
npm run check
npx tsc -p loadtest/tsconfig.json
