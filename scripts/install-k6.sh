#!/usr/bin/env bash
# Install k6 where no package exists: build it from its Go module at a pinned version
# into the lab's cache. Idempotent: does nothing when k6 is already on PATH or cached.
# Prints the path of the k6 binary on its last line so callers can capture it.
set -euo pipefail

K6_VERSION="${K6_VERSION:-v1.8.1}"
CACHE="${SMARTSHOP_CACHE:-$HOME/.cache/smartshop}"
BIN_DIR="$CACHE/bin"

if [[ -x "$BIN_DIR/k6" ]]; then
  echo "$BIN_DIR/k6"
  exit 0
fi
if command -v k6 >/dev/null 2>&1; then
  command -v k6
  exit 0
fi

GO="$(command -v go || true)"
[[ -z "$GO" && -x /usr/local/go/bin/go ]] && GO=/usr/local/go/bin/go
if [[ -z "$GO" ]]; then
  echo "install-k6: Go is needed to build k6 (apt-get install golang-go, or https://go.dev/dl)" >&2
  exit 1
fi

mkdir -p "$BIN_DIR"
echo "==> building k6 ${K6_VERSION} with $("$GO" version) (a few minutes)" >&2
# GOBIN puts the binary straight into the cache; GOFLAGS keeps the module cache read-only
# friendly for CI workspaces. The build is written to a temp name, then moved atomically
# so an interrupted build never leaves a half-written k6 behind.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
GOBIN="$tmp" CGO_ENABLED=0 "$GO" install "go.k6.io/k6@${K6_VERSION}" >&2
mv "$tmp/k6" "$BIN_DIR/k6"
"$BIN_DIR/k6" version >&2
echo "$BIN_DIR/k6"
