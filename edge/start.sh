#!/bin/sh
# Starts the edge's HAProxy (edge/haproxy.cfg) with EDGE_TRUSTED_PEER set to this container's
# default gateway. On a Docker bridge (compose's networks; on Swarm, docker_gwbridge, which
# carries a host-mode published port) that address is the host's own: every client on this
# machine reaches a published port through docker-proxy and arrives from it, while a client on
# another machine keeps its own address through Docker's NAT. Only this machine's clients may
# name themselves with X-SmartShop-Client; any other peer is keyed by its address. (Swarm's
# ingress publishing would hide every client behind the ingress's one address: the Swarm stack
# publishes the edge in host mode for that reason.)
# EDGE_SHOP_HOST: the name of the shop's replicas (compose: app; Swarm: tasks.app).
set -eu
export EDGE_SHOP_HOST="${EDGE_SHOP_HOST:-app}" EDGE_LIMITS_FILE="${EDGE_LIMITS_FILE:-limits.map}"
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
echo "edge: shop at $EDGE_SHOP_HOST, limits from $EDGE_LIMITS_FILE; X-SmartShop-Client is taken from $EDGE_TRUSTED_PEER (this machine) only"
exec haproxy -W -db -f /etc/edge/haproxy.cfg
