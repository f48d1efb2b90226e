#!/usr/bin/env bash
# Builds the two base tags every project Dockerfile starts FROM, when they are not
# present locally and cannot be pulled (CI here, air-gapped sites):
#   debian:bookworm-slim   debootstrap --variant=minbase + docker import
#   node:20-bookworm-slim  debian:bookworm-slim + the host's Node 20 and npm
# Idempotent: an existing tag is kept; the debootstrap tarball is cached so that
# re-importing after `docker system prune` takes seconds.
#
# Env: SMARTSHOP_CACHE (default ~/.cache/smartshop), DEBIAN_MIRROR (default: the
# host's apt mirror), HOST_CA_BUNDLE (CAs the node image trusts, default the
# host's bundle), SMARTSHOP_NO_PULL=1 (skip the pull attempt), FORCE=1 (rebuild).
set -euo pipefail

CACHE_DIR="${SMARTSHOP_CACHE:-$HOME/.cache/smartshop}"
DEBIAN_TAG="debian:bookworm-slim"
NODE_TAG="node:20-bookworm-slim"
ROOTFS_TAR="$CACHE_DIR/debian-bookworm-minbase.tar"
HOST_CA_BUNDLE="${HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"

say() { printf '==> %s\n' "$*"; }
die() { printf 'build-base-images: %s\n' "$*" >&2; exit 1; }

have_image() { [ "${FORCE:-0}" != 1 ] && docker image inspect "$1" >/dev/null 2>&1; }

try_pull() {
  [ "${SMARTSHOP_NO_PULL:-0}" = 1 ] && return 1
  say "trying docker pull $1"
  timeout 120 docker pull "$1" >/dev/null 2>&1
}

# The host's Debian mirror (deb822 `URIs:` or one-line `deb URL suite`), skipping
# the security archive; containers reach the same mirror.
host_mirror() {
  local files=() f uri
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && files+=("$f")
  done
  if [ "${#files[@]}" -gt 0 ]; then
    uri=$(awk '
      /^[[:space:]]*URIs:/ { for (i = 2; i <= NF; i++) print $i }
      /^[[:space:]]*deb[[:space:]]/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }
    ' "${files[@]}" | grep -E '/debian/?$' | grep -v security | head -n1 || true)
  fi
  printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}

build_rootfs_tar() {
  command -v debootstrap >/dev/null || die "debootstrap is missing: run scripts/host-setup.sh (or apt-get install debootstrap)"
  [ "$(id -u)" = 0 ] || die "debootstrap needs root"
  local mirror dir
  mirror="${DEBIAN_MIRROR:-$(host_mirror)}"
  dir=$(mktemp -d /tmp/smartshop-rootfs.XXXXXX)
  # shellcheck disable=SC2064 # expand $dir now, on purpose
  trap "rm -rf '$dir'" EXIT
  say "debootstrap --variant=minbase bookworm from $mirror (a few minutes, once)"
  debootstrap --variant=minbase bookworm "$dir" "$mirror" > "$CACHE_DIR/debootstrap.log" 2>&1 \
    || die "debootstrap failed, see $CACHE_DIR/debootstrap.log"
  # Same apt sources as the official image (release, updates, security).
  rm -f "$dir/etc/apt/sources.list"
  cat > "$dir/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  # Slim like the official image: no docs/man pages from later installs, no apt caches.
  cat > "$dir/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
EOF
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' > "$dir/etc/apt/apt.conf.d/99-no-recommends"
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/var/log/*.log "$dir"/tmp/*
  tar --numeric-owner -C "$dir" -cf "$ROOTFS_TAR.partial" .
  mv "$ROOTFS_TAR.partial" "$ROOTFS_TAR"
  rm -rf "$dir"
  trap - EXIT
}

ensure_debian() {
  if have_image "$DEBIAN_TAG"; then say "$DEBIAN_TAG present"; return; fi
  if [ "${FORCE:-0}" != 1 ] && try_pull "$DEBIAN_TAG"; then say "$DEBIAN_TAG pulled"; return; fi
  if [ ! -s "$ROOTFS_TAR" ] || [ "${FORCE:-0}" = 1 ]; then build_rootfs_tar; else say "using cached $ROOTFS_TAR"; fi
  say "docker import -> $DEBIAN_TAG"
  docker import --change 'CMD ["bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$ROOTFS_TAR" "$DEBIAN_TAG" >/dev/null
}

ensure_node() {
  if have_image "$NODE_TAG"; then say "$NODE_TAG present"; return; fi
  if [ "${FORCE:-0}" != 1 ] && try_pull "$NODE_TAG"; then say "$NODE_TAG pulled"; return; fi
  local node npm_cli npm_dir ctx version
  node=$(command -v node) || die "no node on this host: install Node 20 (https://nodejs.org or nodesource), or make $NODE_TAG available"
  node=$(readlink -f "$node")
  version=$("$node" --version)
  case "$version" in v20.*) ;; *) die "host node is $version, need v20.x to build $NODE_TAG" ;; esac
  npm_cli=$(readlink -f "$(command -v npm)") || die "no npm on this host"
  npm_dir=$(dirname "$(dirname "$npm_cli")") # .../node_modules/npm
  [ -f "$npm_dir/package.json" ] || die "cannot find npm's directory (from $npm_cli)"
  ctx=$(mktemp -d /tmp/smartshop-node.XXXXXX)
  cp "$node" "$ctx/node"
  cp -a "$npm_dir" "$ctx/npm"
  # The image trusts the CAs this host trusts (a TLS-inspecting proxy's CA at
  # corporate or air-gapped sites), so `npm ci` in image builds reaches the registry.
  : > "$ctx/host-ca.crt"
  [ -f "$HOST_CA_BUNDLE" ] && cp "$HOST_CA_BUNDLE" "$ctx/host-ca.crt"
  cat > "$ctx/Dockerfile" <<'EOF'
FROM debian:bookworm-slim
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY host-ca.crt /usr/local/share/smartshop/host-ca.crt
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/smartshop/host-ca.crt
# Same layout and user as the official node image (user node, uid 1000).
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && node --version && npm --version
ENV NODE_VERSION=__VERSION__
CMD ["node"]
EOF
  sed -i "s/__VERSION__/${version#v}/" "$ctx/Dockerfile"
  say "building $NODE_TAG from the host's node $version"
  DOCKER_BUILDKIT=0 docker build -q -t "$NODE_TAG" "$ctx" >"$CACHE_DIR/node-image-build.log" 2>&1 || { rm -rf "$ctx"; die "building $NODE_TAG failed"; }
  rm -rf "$ctx"
}

command -v docker >/dev/null || die "docker CLI missing: run scripts/host-setup.sh"
docker info >/dev/null 2>&1 || die "Docker engine not reachable: run scripts/host-setup.sh (or start dockerd)"
mkdir -p "$CACHE_DIR"
ensure_debian
ensure_node
say "base images ready: $DEBIAN_TAG, $NODE_TAG"
