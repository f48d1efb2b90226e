#!/usr/bin/env bash
# Runs Debian's groovy with a working JAVA_HOME: its launcher expects
# /usr/lib/jvm/default-java (package default-jre), which is often absent; derive it from
# the `java` on PATH instead.
set -euo pipefail
if [[ -z "${JAVA_HOME:-}" || ! -x "${JAVA_HOME}/bin/java" ]]; then
  java="$(command -v java || true)"
  if [[ -z "$java" ]]; then echo "groovy.sh: no java on PATH (apt-get install default-jre-headless groovy)" >&2; exit 127; fi
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$java")")")"
  export JAVA_HOME
fi
exec groovy "$@"
