#!/bin/sh
# Prometheus as the lab runs it. The lifecycle API (/-/quit, /-/reload) stays off: anyone who
# reaches the port could stop Prometheus with one POST. The remote-write receiver (k6 can
# push its metrics into it, docs/delivery.md) is on only with PROMETHEUS_REMOTE_WRITE=true.
# Every argument is Prometheus' own.
set -eu
if [ "${PROMETHEUS_REMOTE_WRITE:-false}" = true ]; then
  set -- "$@" --web.enable-remote-write-receiver
fi
exec /usr/bin/prometheus "$@"
