#!/bin/sh
# Prometheus as the lab runs it. The lifecycle API (/-/quit, /-/reload) stays off: anyone who
# reaches the port could stop Prometheus with one POST; nor does the remote-write receiver
# (nothing of the lab pushes, and an open one lets anyone fill the database).
# The host tools (simulator, chaos runner) serve their metrics on unix sockets in a folder
# mounted at /run/lab-tools (shared/tool-metrics.ts); socat relays 127.0.0.1:19464 and :19465
# of this container to them, so that Prometheus scrapes them as any target, and a scrape
# while no tool runs fails (up 0) as it should.
# Every argument is Prometheus' own.
set -eu
relay() {
  socat "TCP-LISTEN:$1,bind=127.0.0.1,fork,reuseaddr" "UNIX-CONNECT:/run/lab-tools/$2.sock" 2>/dev/null &
}
relay 19464 simulator
relay 19465 chaos
exec /usr/bin/prometheus "$@"
