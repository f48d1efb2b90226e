#!/usr/bin/env bash
# ci:build — the offline base images where no registry answers, then every lab image.
export CI_STAGE=build; source "$(dirname "$0")/lib.sh"
scripts/host-setup.sh
scripts/build-base-images.sh
# the same build `make test` runs, which also writes the lab's passwords into .env first
node bin/smartshop.js stack build
