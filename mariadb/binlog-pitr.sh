#!/bin/sh
# The binary-log half of a point-in-time restore (`smartshop backup restore ID --until TIME`
# or `--before STATEMENT`). Run in a helper container of this image, with no network.
#
#   binlog-pitr.sh copy                   with the node's volumes (/var/lib/mysql) and a host
#                                         folder at /out: the node's closed binary logs into
#                                         /out (the caller ran FLUSH BINARY LOGS first, so
#                                         every event up to then is in a closed file)
#   binlog-pitr.sh find FILE POS PATTERN  with those copies at /binlogs: the position of the
#                                         first transaction after FILE:POS whose statement
#                                         matches PATTERN (an extended regex, any case)
#   binlog-pitr.sh check FILE EPOCH       the copies hold FILE, and FILE began before EPOCH
#                                         (the backup's end): else they are another history
#   binlog-pitr.sh apply DATADIR          the copies replayed into DATADIR (a prepared backup)
#                                         from $PITR_START (FILE:POS) to $PITR_STOP_POSITION
#                                         (FILE:POS) or $PITR_STOP_DATETIME (UTC), in a
#                                         throw-away server without Galera, grants or network
#
# Output is tab-separated; exit 3 when the logs cannot serve (the caller touches nothing then).
set -eu

BINLOGS=/binlogs
fail() { echo "binlog-pitr: $*" >&2; exit 3; }

# the copies in order, from FILE on
files_from() {
  found=""
  # a glob expands sorted, and the numbers have a fixed width
  for path in "$BINLOGS"/mysql-bin.[0-9]*; do
    [ -f "$path" ] || continue
    [ "$(basename "$path")" = "$1" ] && found=1
    [ -n "$found" ] && echo "$path"
  done
  return 0
}

case "${1:?copy, find, check or apply}" in
  copy)
    active=""
    for f in /var/lib/mysql/mysql-bin.[0-9]*; do [ -f "$f" ] && active=$f; done
    [ -n "$active" ] || fail "this node has no binary log (log_bin is off, or it was emptied)"
    n=0
    for f in /var/lib/mysql/mysql-bin.[0-9]*; do
      # the newest file is the one the server writes now: not closed, not needed
      [ "$f" = "$active" ] && continue
      cp "$f" /out/ && n=$((n + 1))
    done
    active=$(basename "$active")
    printf 'copied\t%s\t%s\n' "$n" "$active"
    ;;

  find)
    file=${2:?FILE}; pos=${3:?POS}; pattern=${4:?PATTERN}
    first=1
    for path in $(files_from "$file"); do
      start=--start-position=4
      [ -n "$first" ] && start="--start-position=$pos"
      first=""
      # `# at N` opens every event; a transaction begins with its GTID event, so the stop is
      # the GTID event's offset: the whole transaction is left out, not half of it
      hit=$(mariadb-binlog "$start" --base64-output=decode-rows "$path" 2>/dev/null | awk -v pat="$pattern" '
        /^# at [0-9]+$/ { at = $3; next }
        /^#[0-9]+ +[0-9:]+ .*[[:space:]]GTID[[:space:]]/ { gtid_at = at; stamp = $1 " " $2; next }
        /^(#|SET|\/\*|DELIMITER|BEGIN|COMMIT|use )/ { next }
        toupper($0) ~ toupper(pat) { print gtid_at "\t" stamp "\t" $0; exit }
      ')
      if [ -n "$hit" ]; then
        printf 'stop\t%s\t%s\n' "$(basename "$path")" "$hit"
        exit 0
      fi
    done
    fail "no statement matching '$pattern' in the binary logs after $file:$pos"
    ;;

  check)
    file=${2:?FILE}; epoch=${3:?EPOCH}
    [ -f "$BINLOGS/$file" ] || fail "the node's binary logs no longer hold $file, where the backup's position is (expired, or the node was rebuilt since): this backup can be restored without --until/--before only"
    # the first event's header: #YYMMDD HH:MM:SS
    head=$(mariadb-binlog --stop-position=256 "$BINLOGS/$file" 2>/dev/null | grep -m1 -E '^#[0-9]{6} ' | cut -c2-16)
    began=$(date -u -d "20$(echo "$head" | cut -c1-2)-$(echo "$head" | cut -c3-4)-$(echo "$head" | cut -c5-6) $(echo "$head" | cut -c8-15)" +%s) ||
      fail "cannot read when $file began"
    [ "$began" -le "$epoch" ] || fail "$file began at $(date -u -d "@$began" +%FT%TZ), after the backup: it belongs to a later history of the node (a restore since), not to this backup"
    printf 'checked\t%s\t%s\n' "$file" "$began"
    ;;

  apply)
    datadir=${2:?DATADIR}
    start_file=${PITR_START%%:*}; start_pos=${PITR_START##*:}
    last_file=""
    # one argument, quoted where it is used: a datetime has a space in it
    if [ -n "${PITR_STOP_POSITION:-}" ]; then
      last_file=${PITR_STOP_POSITION%%:*}
      stop="--stop-position=${PITR_STOP_POSITION##*:}"
    else
      stop="--stop-datetime=${PITR_STOP_DATETIME:?PITR_STOP_POSITION or PITR_STOP_DATETIME}"
    fi
    files=""
    for path in $(files_from "$start_file"); do
      files="$files $path"
      [ "$(basename "$path")" = "$last_file" ] && break
    done
    [ -n "$files" ] || fail "no binary log from $start_file on"
    sock=/tmp/pitr.sock
    chown -R mysql:mysql "$datadir"
    mariadbd --no-defaults --user=mysql --datadir="$datadir" --socket="$sock" --pid-file=/tmp/pitr.pid \
      --skip-networking --skip-grant-tables --innodb-buffer-pool-size=64M > /tmp/pitr-server.log 2>&1 &
    i=0
    until mariadb-admin --socket="$sock" ping > /dev/null 2>&1; do
      i=$((i + 1))
      [ "$i" -le 120 ] || { tail -20 /tmp/pitr-server.log >&2; fail "the server did not start on the backup within 60 s"; }
      sleep 0.5
    done
    # shellcheck disable=SC2086 # the list of files is meant to split
    mariadb-binlog --start-position="$start_pos" "$stop" $files > /tmp/replay.sql 2>/tmp/replay.err ||
      { tail -5 /tmp/replay.err >&2; fail "mariadb-binlog could not read the logs"; }
    transactions=$(grep -c -E '^#[0-9]{6} +[0-9:]+ .*[[:space:]]GTID[[:space:]]' /tmp/replay.sql || true)
    mariadb --socket="$sock" < /tmp/replay.sql 2>/tmp/apply.err || { tail -5 /tmp/apply.err >&2; fail "replaying the logs failed"; }
    mariadb-admin --socket="$sock" shutdown
    printf 'rolled-forward\t%s\t%s\n' "$transactions" "$(echo "$files" | wc -w)"
    ;;

  *) fail "unknown action $1 (copy, find, check or apply)" ;;
esac
