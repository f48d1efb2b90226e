#!/usr/bin/env bash
# Installs what the test suite needs on the host, beside the Docker engine:
# a MariaDB server (the API's integration tests start their own throw-away mariadbd),
# Chromium (browser tests via playwright-core, never a downloaded browser),
# promtool and amtool (Prometheus and Alertmanager config and rule tests), tmux (drives the simulator's menu in a
# pseudo-terminal), shellcheck, groovy (compiles the Jenkinsfile) and Ansible with its linters. Idempotent: does nothing when all are present.
set -euo pipefail

need=()
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || need+=(mariadb-server mariadb-client)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v amtool >/dev/null 2>&1 || need+=(prometheus-alertmanager)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
command -v groovy >/dev/null 2>&1 || need+=(groovy)
command -v ansible-playbook >/dev/null 2>&1 || need+=(ansible)
command -v ansible-lint >/dev/null 2>&1 || need+=(ansible-lint)
command -v yamllint >/dev/null 2>&1 || need+=(yamllint)

if [ ${#need[@]} -eq 0 ]; then
  echo "==> test tools present (mariadbd, chromium, promtool, amtool, tmux, shellcheck, groovy, ansible)"
  exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing test tools. Install these Debian packages (or your system's equivalents), then run again:" >&2
  echo "  sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi

echo "==> installing test tools: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d 101 keeps apt from starting the host's own mariadb/prometheus services:
# the tests start their own, and a host mariadbd on :3306 would collide with the lab's HAProxy.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; created_policy=1; fi
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
if [ "$created_policy" -eq 1 ]; then rm -f "$policy"; fi
echo "==> test tools installed"
