#!/usr/bin/env bash
# Run by .ci/run after the engine starts, before anything is built or tested: removes what an
# earlier run or session left on this engine of the project's own (compose projects and Swarm
# stacks named smartshop*, their volumes and networks) and leaves a swarm that holds only
# those. CI runs on the machine a session used; its engine keeps containers across a restart,
# and Docker restarts any with a restart policy, so a lab left up would run beside every
# test (two labs on two cores: drills miss their recovery bounds, the suite runs twice as
# long). Never touches what is not the project's. Prints what it found, or that it found none.
set -uo pipefail
say() { printf '==> [leftovers] %s\n' "$*"; }
docker info >/dev/null 2>&1 || { say "no Docker engine answers: nothing to clean"; exit 0; }

ours() { grep -E '^smartshop' || true; }
found=0
stacks="$(docker stack ls --format '{{.Name}}' 2>/dev/null | ours)"
for s in $stacks; do
  say "Swarm stack $s: docker stack rm"
  docker stack rm "$s" >/dev/null 2>&1 || true
  found=1
done
projects="$(docker ps -a --format '{{.Label "com.docker.compose.project"}}' | sort -u | ours)"
for p in $projects; do
  say "compose project $p: $(docker ps -aq --filter "label=com.docker.compose.project=$p" | wc -l) container(s) removed"
  docker ps -aq --filter "label=com.docker.compose.project=$p" | xargs -r docker rm -f >/dev/null
  found=1
done
# stack tasks go a moment after `stack rm`; their containers carry the namespace label
for _ in $(seq 1 30); do
  left="$(docker ps -a --format '{{.Label "com.docker.stack.namespace"}}' | ours)"
  [ -z "$left" ] && break
  sleep 2
done
docker ps -a --format '{{.ID}} {{.Label "com.docker.stack.namespace"}}' | awk '$2 ~ /^smartshop/ {print $1}' | xargs -r docker rm -f >/dev/null
for label in com.docker.compose.project com.docker.stack.namespace; do
  vols="$(docker volume ls --format "{{.Name}} {{.Label \"$label\"}}" | awk '$2 ~ /^smartshop/ {print $1}')"
  if [ -n "$vols" ]; then say "volumes: $(echo "$vols" | wc -l) removed"; echo "$vols" | xargs -r docker volume rm -f >/dev/null; found=1; fi
  nets="$(docker network ls --format "{{.Name}} {{.Label \"$label\"}}" | awk '$2 ~ /^smartshop/ {print $1}')"
  [ -n "$nets" ] && echo "$nets" | xargs -r docker network rm >/dev/null 2>&1
done
# a swarm left with none of anyone's services: ci:swarm makes its own and leaves it after
if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" = active ] && [ -z "$(docker service ls -q 2>/dev/null)" ]; then
  say "a swarm with no services left: docker swarm leave"
  docker swarm leave --force >/dev/null 2>&1 || true
  found=1
fi
running="$(docker ps --format '{{.Names}}' | wc -l)"
[ "$found" -eq 1 ] || say "none of the project's containers, stacks or volumes found"
[ "$running" -eq 0 ] || say "still running, not the project's (left alone): $(docker ps --format '{{.Names}}' | tr '\n' ' ')"
exit 0
