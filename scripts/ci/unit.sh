#!/usr/bin/env bash
# ci:unit — unit tests; with CI set, vitest also writes reports/junit.xml (Jenkins `junit`).
export CI_STAGE=unit; source "$(dirname "$0")/lib.sh"
CI=true npx vitest run --project unit
