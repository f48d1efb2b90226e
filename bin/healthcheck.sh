#!/bin/bash
# Docker's health check of the services the shop image runs (shop, workers, console):
#   healthcheck.sh PATH [PORT]   healthy when GET http://127.0.0.1:PORT/PATH answers 200
#                                (PORT: the shop's $PORT, else 8000)
# bash alone, no other process, not `node -e "fetch(...)"`: Docker runs a check every few
# seconds in each such container, and on this project's 2-core machines a Node start costs
# about 270 ms of CPU per check against about 70 ms for this (docs/operations.md, health checks).
path=${1:?usage: healthcheck.sh PATH [PORT]}
port=${2:-${PORT:-8000}}
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
# one write: a server that answers and closes early must not kill the script with SIGPIPE
printf -v request 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$path"
printf '%s' "$request" >&3 || exit 1
# the status line (HTTP/1.1 200 OK), within 2 s: under Docker's 3 s timeout, so a stalled
# server is this check's "unhealthy", not a check Docker had to give up on
read -r -t 2 _ status _ <&3 || exit 1
[[ "$status" == 200 ]]
