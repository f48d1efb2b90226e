#!/bin/sh
# Prints the digest of what the edge reads from this folder, as stack/config.ts
# edgeConfigDigest() computes it: sha256 over each .cfg, .map and .sh file in name order
# (its name, NUL, its content, NUL), 16 hex digits. Ansible passes it to compose as
# EDGE_CONFIG_DIGEST, as `make up` does, so a changed file recreates the edge either way.
set -eu
# names in byte order, as JavaScript's sort() orders them (limits-off.map before limits.map)
export LC_ALL=C
cd "$(dirname "$0")"
for f in *; do
  case "$f" in
    *.cfg | *.map | *.sh) printf '%s\000' "$f"; cat "$f"; printf '\000' ;;
  esac
done | sha256sum | cut -c1-16
