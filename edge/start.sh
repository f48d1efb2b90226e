#!/bin/sh
# Starts the edge's HAProxy with EDGE_TRUSTED_PEER set to this container's default gateway.
# On a Docker bridge that address is the host's own: every client on this machine (through
# docker-proxy, or Docker's NAT from 127.0.0.1) arrives from it, and the published ports bind
# 127.0.0.1, so only this machine's clients can. Only they may name themselves with
# X-SmartShop-Client (edge/haproxy.cfg); any other peer is keyed by its address.
set -eu
EDGE_TRUSTED_PEER=$(awk '$2 == "00000000" {
  h = toupper($3); ip = ""
  for (i = 7; i >= 1; i -= 2) {
    n = (index("0123456789ABCDEF", substr(h, i, 1)) - 1) * 16 + index("0123456789ABCDEF", substr(h, i + 1, 1)) - 1
    ip = ip (ip == "" ? "" : ".") n
  }
  print ip; exit
}' /proc/net/route)
# no default route (no network yet): trust nobody's header rather than fail to start
export EDGE_TRUSTED_PEER="${EDGE_TRUSTED_PEER:-255.255.255.255}"
echo "edge: X-SmartShop-Client is taken from $EDGE_TRUSTED_PEER (this machine) only"
exec haproxy -W -db -f /etc/edge/haproxy.cfg
