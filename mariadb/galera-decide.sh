#!/bin/sh
# Pure decision logic of the Galera entrypoint (no side effects; unit-tested over
# fixtures in mariadb/fixtures/ by galera-decide.test.ts).
#
#   galera-decide.sh position <grastate.dat>
#       prints "<uuid> <seqno> <safe_to_bootstrap>" from the file, or "new -1 0"
#       when the file is missing (a node that never joined a cluster).
#   galera-decide.sh needs-recover <grastate.dat>
#       prints "yes" when the node did not stop cleanly (seqno -1 or missing) and
#       its committed position must be read with `mariadbd --wsrep-recover`, else "no".
#   galera-decide.sh decide <self> <uuid> <seqno> <safe> <bootstrap_candidate> [<settle_expired>]
#       reads one line per peer on stdin: "<name> <gcomm:up|down> <agent report|->"
#       where the agent report is the clustercheck body, e.g.
#       "status=waiting uuid=<u> seqno=<n>" or "status=synced uuid=<u> seqno=<n>"
#       (a running node adds state=, cluster=, and was=synced once it has been Synced).
#       prints "<join|bootstrap|wait> <one-line reason>". settle_expired=1 lifts the
#       one-join-at-a-time rule (the entrypoint sets it after GALERA_JOIN_SETTLE_SECONDS).
#
# Rules: join when a peer's Galera port answers (unless its
# cluster has another history than ours: refuse, never SST over our data);
# bootstrap only with safe_to_bootstrap: 1, or as the candidate of a brand-new
# cluster, or when every peer is waiting with a known position of the same history
# and ours is the most advanced (ties: lowest name); otherwise wait and say why.
set -eu

ZERO_UUID=00000000-0000-0000-0000-000000000000

position() {
  if [ ! -f "$1" ]; then echo "new -1 0"; return; fi
  awk '
    $1 == "uuid:" { uuid = $2 }
    $1 == "seqno:" { seqno = $2 }
    $1 == "safe_to_bootstrap:" { safe = $2 }
    END {
      if (uuid == "" || uuid == "'"$ZERO_UUID"'") uuid = "new"
      if (seqno == "") seqno = -1
      if (safe == "") safe = 0
      print uuid, seqno, safe
    }' "$1"
}

needs_recover() {
  if [ ! -f "$1" ]; then echo no; return; fi
  # shellcheck disable=SC2046 # split "uuid seqno safe" on purpose
  set -- $(position "$1")
  if [ "$1" != new ] && [ "$2" = -1 ]; then echo yes; else echo no; fi
}

# field <report> <key>: value of key=value in an agent report, empty if absent.
field() {
  printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

decide() {
  self=$1 uuid=$2 seqno=$3 safe=$4 candidate=$5 settled=${6:-0}
  busy="" up_peer="" up_uuid="" synced_up="" stranded="" primary_busy="" waiting_all=1 best=1 best_by="" unknown="" foreign="" holder="" npeers=0
  while read -r name gcomm report; do
    [ -n "$name" ] || continue
    npeers=$((npeers + 1))
    p_status=$(field "$report" status)
    p_uuid=$(field "$report" uuid)
    p_seqno=$(field "$report" seqno)
    # Joins go one at a time (two ISTs beside a view change can fail and leave a
    # node stuck in Joining): a peer starting, joining or donating is "busy", and so
    # is a waiting peer with a lower name (it joins first). A non-Primary peer that has
    # been Synced since it started (was=synced) is not: it is a survivor that lost its
    # majority ("stranded"), donates nothing and joins nobody.
    case "$p_status" in starting-*) busy="$busy $name($p_status)" ;; esac
    if [ "$gcomm" = up ]; then
      if [ -z "$up_peer" ] || [ "$p_status" = synced ]; then up_peer=$name; up_uuid=$p_uuid; fi
      if [ "$p_status" = synced ]; then synced_up=1
      elif [ "$(field "$report" cluster)" = non-Primary ] && [ "$(field "$report" was)" = synced ]; then stranded="$stranded $name"
      else
        busy="$busy $name($(field "$report" state))"
        # joining or donating inside a Primary component: the join-at-once rule below does not apply
        if [ "$(field "$report" cluster)" = Primary ]; then primary_busy=1; fi
      fi
      continue
    fi
    if [ "$p_status" = waiting ] && [ "$(printf '%s\n%s\n' "$name" "$self" | LC_ALL=C sort | head -n 1)" = "$name" ]; then
      busy="$busy $name(waiting, joins first)"
    fi
    # Peer not running Galera: use what its agent says about its position.
    if [ -n "$p_uuid" ] && [ "$p_uuid" != new ] && [ "$p_uuid" != "$ZERO_UUID" ]; then holder=$name; fi
    # A waiting peer without data will join whoever bootstraps: no vote.
    if [ "$p_status" = waiting ] && [ "$p_uuid" = new ]; then continue; fi
    if [ "$p_status" != waiting ] || [ -z "$p_uuid" ] || [ "$p_seqno" = -1 ] || [ -z "$p_seqno" ]; then
      waiting_all=0; unknown="$unknown $name"; continue
    fi
    if [ "$p_uuid" != "$uuid" ]; then foreign="$foreign $name"; continue; fi
    if [ "$p_seqno" -gt "$seqno" ] || { [ "$p_seqno" -eq "$seqno" ] && [ "$(printf '%s\n%s\n' "$name" "$self" | LC_ALL=C sort | head -n 1)" = "$name" ]; }; then
      best=0; best_by="$name(seqno $p_seqno)"
    fi
  done

  if [ "$uuid" != new ] && [ "$seqno" = -1 ]; then
    echo "wait position unknown (recovery gave none): never starting at an unknown position, not even to join"
    return
  fi
  if [ -n "$up_peer" ]; then
    if [ "$uuid" != new ] && [ -n "$up_uuid" ] && [ "$up_uuid" != new ] && [ "$up_uuid" != "$ZERO_UUID" ] && [ "$up_uuid" != "$uuid" ]; then
      echo "wait refusing to join: cluster at $up_peer has history $up_uuid, this node holds $uuid:$seqno; joining would replace this node's data by SST (move the data aside by hand if that is wanted)"
      return
    fi
    # Survivors without a majority, no Synced peer, no peer joining or donating in a Primary
    # component: a restarted node is not counted in
    # the last Primary view's quorum, so the survivor and one node cannot re-form it; the
    # Primary comes back only when every member of that view is there (pc.recovery). Nothing
    # is donating meanwhile, so the nodes restarting all join now, not one at a time.
    if [ -n "$stranded" ] && [ -z "$synced_up" ] && [ -z "$primary_busy" ]; then
      echo "join peer$stranded lost its majority: joining now, with any other node restarting (the last Primary view forms again once all its members are back)"
      return
    fi
    if [ -n "$busy" ] && [ "$settled" != 1 ]; then
      echo "wait peer $up_peer answers but joins go one at a time; busy:$busy"
      return
    fi
    echo "join peer $up_peer answers on the Galera port"
    return
  fi
  if [ "$uuid" = new ]; then
    if [ "$candidate" != 1 ]; then
      echo "wait no peer answers yet and this node has no data: waiting for a cluster to join"
    elif [ -n "$holder" ]; then
      echo "wait no peer answers but $holder holds data of an existing cluster: a node without data never bootstraps over it"
    else
      echo "bootstrap brand-new cluster: no grastate.dat, bootstrap candidate, no peer holds data"
    fi
    return
  fi
  if [ "$safe" = 1 ]; then
    echo "bootstrap no peer answers and grastate.dat says safe_to_bootstrap: 1 ($uuid:$seqno)"
    return
  fi
  if [ -n "$foreign" ]; then
    echo "wait peers$foreign hold another cluster history than $uuid: not bootstrapping"
    return
  fi
  if [ "$npeers" -gt 0 ] && [ "$waiting_all" = 1 ]; then
    if [ "$best" = 1 ]; then
      echo "bootstrap every peer is waiting and this node is the most advanced ($uuid:$seqno)"
    else
      echo "wait every peer is waiting; $best_by is more advanced and bootstraps"
    fi
    return
  fi
  echo "wait no peer answers and safe_to_bootstrap is 0 ($uuid:$seqno); waiting for peers$unknown to report their position"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  position) position "$1" ;;
  needs-recover) needs_recover "$1" ;;
  decide) decide "$@" ;;
  *) echo "usage: galera-decide.sh position|needs-recover <grastate.dat> | decide <self> <uuid> <seqno> <safe> <candidate>" >&2; exit 2 ;;
esac
