#!/bin/sh
# Galera health agent. HAProxy's httpchk and Docker's HEALTHCHECK both use it.
#   clustercheck.sh            HTTP responder on stdin/stdout (socat, port 9200):
#                              200 when Synced (wsrep_local_state=4) in the Primary
#                              component with wsrep_ready=ON, otherwise 503.
#   clustercheck.sh --status   same judgement as the exit code (0 healthy).
# A brief desync is not a departure: mariadb-backup (the backup service, hourly) desyncs and
# pauses the node for about a second at BACKUP STAGE BLOCK_DDL. Taking it out of HAProxy for
# that would cut every session on it (on-marked-down shutdown-sessions) and turn the pause
# into client errors; kept in, its commits and causal reads wait a second. So a Donor/Desynced
# node that is Primary and ready stays healthy for DESYNC_GRACE_SECONDS (5) from the first
# check that saw it desynced; a longer desync (an operator's wsrep_desync, an SST donor) is
# reported as not synced after that.
# A node taken out on purpose (a rolling restart, lab/rolling-restart.ts): while the file
# /run/galera/maintenance exists HAProxy is told 503, so it moves the node's sessions to the
# others before the node is stopped; --status (Docker's health) still says how the node is.
# The entrypoint removes the file when the node starts again.
# Until account-passwords.sh has put the accounts on the environment's passwords (the file
# /run/galera/accounts-ok, removed at every start), the node is not in service either.
# The body is one line of key=value that peers' entrypoints read to decide
# whether to join or bootstrap: status=, uuid=, seqno= (see galera-decide.sh), and was=synced
# once this mariadbd has been Synced since it started (the entrypoint clears the mark): a
# non-Primary node that was Synced is a survivor waiting for a majority, not a node mid-join.
# When mariadbd is not answering, the body is the entrypoint's own state file.
STATE_FILE=/run/galera/state
MAINTENANCE=/run/galera/maintenance
DESYNC_MARK=/run/galera/desynced-since
WAS_SYNCED=/run/galera/was-synced
ACCOUNTS_OK=/run/galera/accounts-ok
GRACE=${DESYNC_GRACE_SECONDS:-5}

status=$(timeout 3 mariadb --connect-timeout=2 -N -B -e \
  "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state','wsrep_cluster_status','wsrep_ready','wsrep_cluster_state_uuid','wsrep_last_committed','wsrep_cluster_size','wsrep_local_state_comment')" \
  2>/dev/null)
if [ -n "$status" ]; then
  body=$(printf '%s\n' "$status" | awk -F '\t' '
    { v[$1] = $2 }
    END {
      ok = (v["wsrep_local_state"] == 4 && v["wsrep_cluster_status"] == "Primary" && v["wsrep_ready"] == "ON")
      printf "status=%s uuid=%s seqno=%s state=%s cluster=%s ready=%s size=%s\n", ok ? "synced" : "not-synced",
        v["wsrep_cluster_state_uuid"], v["wsrep_last_committed"], v["wsrep_local_state_comment"],
        v["wsrep_cluster_status"], v["wsrep_ready"], v["wsrep_cluster_size"]
    }')
  case "$body" in status=synced*) : > "$WAS_SYNCED" 2>/dev/null || true ;; esac
  [ -e "$WAS_SYNCED" ] && body="$body was=synced"
else
  body=$(cat "$STATE_FILE" 2>/dev/null || echo "status=down")
fi
case "$body" in
  status=synced*) code=200; rm -f "$DESYNC_MARK" ;;
  *" state=Donor/Desynced cluster=Primary ready=ON "*)
    now=$(date +%s)
    [ -s "$DESYNC_MARK" ] || echo "$now" > "$DESYNC_MARK"
    since=$(cat "$DESYNC_MARK" 2>/dev/null || echo "$now")
    if [ $((now - since)) -lt "$GRACE" ]; then code=200; else code=503; fi
    ;;
  *) code=503; rm -f "$DESYNC_MARK" ;;
esac
# Synced, but its accounts not yet on the passwords of its environment (account-passwords.sh,
# a second or so after Synced): clients would be refused, so not in service yet. The body is
# unchanged: peers decide on it.
if [ "$code" = 200 ] && [ ! -e "$ACCOUNTS_OK" ]; then code=503; fi

if [ "${1:-}" = --status ]; then
  echo "$body"
  [ "$code" = 200 ]
  exit
fi
[ -e "$MAINTENANCE" ] && code=503

# Read the request (bounded) so closing the socket never resets HAProxy's read.
i=0
while [ "$i" -lt 50 ] && IFS= read -r line; do
  i=$((i + 1))
  line=$(printf '%s' "$line" | tr -d '\r')
  [ -z "$line" ] && break
done
if [ "$code" = 200 ]; then reason="OK"; else reason="Service Unavailable"; fi
printf 'HTTP/1.1 %s %s\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: %s\r\n\r\n%s\n' \
  "$code" "$reason" "$(( ${#body} + 1 ))" "$body"
