#!/usr/bin/env bash
# ci:teardown — always runs (Jenkins post/always): save the lab's logs, then remove it and
# its volumes. Never fails the build by itself.
export CI_STAGE=teardown; source "$(dirname "$0")/lib.sh"
set +e
"${SMARTSHOP[@]}" stack logs --tail 500 > "$REPORTS/stack-logs.txt" 2>&1
"${SMARTSHOP[@]}" stack down --volumes
exit 0
