#!/usr/bin/env bash
# Prepares a host for the lab: a running Docker engine, Compose v2 and debootstrap
# (for building the base images offline). Idempotent: every step checks first.
# On Debian as root it installs what is missing; elsewhere it prints what to
# install and exits non-zero.
#
# Env: SMARTSHOP_CACHE (default ~/.cache/smartshop; built tools go to its bin/),
#      COMPOSE_VERSION (default v2.29.7), DOCKER_WAIT_SECONDS (default 60).
set -euo pipefail

CACHE_BIN="${SMARTSHOP_CACHE:-$HOME/.cache/smartshop}/bin"
COMPOSE_VERSION="${COMPOSE_VERSION:-v2.29.7}"
PLUGIN_DIR="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
WAIT_SECONDS="${DOCKER_WAIT_SECONDS:-60}"

say() { printf '==> %s\n' "$*"; }
warn() { printf 'host-setup: %s\n' "$*" >&2; }

is_debian() { [ -f /etc/debian_version ] && command -v apt-get >/dev/null; }
is_root() { [ "$(id -u)" = 0 ]; }

need_docker=0 need_compose=0 need_debootstrap=0
command -v docker >/dev/null && docker info >/dev/null 2>&1 || need_docker=1
docker compose version >/dev/null 2>&1 || need_compose=1
command -v debootstrap >/dev/null || need_debootstrap=1

if [ "$need_docker$need_compose$need_debootstrap" = 000 ]; then
  say "host ready: $(docker version --format 'engine {{.Server.Version}}'), $(docker compose version --short 2>/dev/null | sed 's/^/compose /'), debootstrap"
  exit 0
fi

if ! is_debian || ! is_root; then
  warn "this host needs (as root, or with your OS's equivalents):"
  [ "$need_docker" = 1 ] && warn "  - a running Docker engine: Debian/Ubuntu 'apt-get install docker.io' then start dockerd (systemctl start docker); other systems: https://docs.docker.com/engine/install/"
  [ "$need_compose" = 1 ] && warn "  - Docker Compose v2 ('docker compose'): 'apt-get install docker-compose-plugin' from Docker's repo, or 'go install github.com/docker/compose/v2/cmd@$COMPOSE_VERSION' copied to $PLUGIN_DIR/docker-compose"
  [ "$need_debootstrap" = 1 ] && warn "  - debootstrap (only to build base images when debian:bookworm-slim cannot be pulled): 'apt-get install debootstrap'"
  is_root || warn "re-run this script as root on Debian to install them automatically."
  exit 1
fi

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    say "apt-get update"
    apt-get update -qq
    apt_updated=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

start_dockerd() {
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    say "starting docker (systemd)"
    systemctl enable --now docker >/dev/null 2>&1 || systemctl start docker
  else
    say "starting dockerd in the background (log: /var/log/dockerd.log)"
    # setsid: the engine gets its own session, so stopping the job or terminal that
    # started it (a CI step, a test runner's process group) does not kill it.
    setsid nohup dockerd >> /var/log/dockerd.log 2>&1 < /dev/null &
  fi
  local i
  for ((i = 0; i < WAIT_SECONDS; i++)); do
    if docker info >/dev/null 2>&1; then say "Docker engine answers"; return 0; fi
    sleep 1
  done
  warn "Docker engine did not answer within ${WAIT_SECONDS}s; see /var/log/dockerd.log"
  exit 1
}

if [ "$need_docker" = 1 ]; then
  command -v dockerd >/dev/null || apt_install docker.io
  docker info >/dev/null 2>&1 || start_dockerd
fi

if [ "$need_debootstrap" = 1 ]; then apt_install debootstrap; fi

install_compose_plugin() { # $1 = binary
  mkdir -p "$PLUGIN_DIR"
  install -m 0755 "$1" "$PLUGIN_DIR/docker-compose"
}

if [ "$need_compose" = 1 ]; then
  if [ -x "$CACHE_BIN/docker-compose" ]; then
    say "installing cached compose from $CACHE_BIN"
    install_compose_plugin "$CACHE_BIN/docker-compose"
  elif command -v go >/dev/null || [ -x /usr/local/go/bin/go ]; then
    go_bin=$(command -v go || echo /usr/local/go/bin/go)
    say "building compose $COMPOSE_VERSION from its Go module (about 3 minutes, once)"
    gobin=$(mktemp -d)
    GOBIN="$gobin" GOFLAGS=-mod=mod "$go_bin" install -ldflags "-X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION" "github.com/docker/compose/v2/cmd@$COMPOSE_VERSION"
    mkdir -p "$CACHE_BIN"
    install -m 0755 "$gobin/cmd" "$CACHE_BIN/docker-compose"
    rm -rf "$gobin"
    install_compose_plugin "$CACHE_BIN/docker-compose"
  else
    say "no Go toolchain: falling back to Debian's docker-compose 1.29"
    apt_install docker-compose
  fi
  if docker compose version >/dev/null 2>&1; then
    say "compose: $(docker compose version --short)"
  elif command -v docker-compose >/dev/null; then
    say "compose: $(docker-compose version --short) (v1; 'smartshop stack' uses it)"
  else
    warn "compose still missing"; exit 1
  fi
fi

say "host ready"
