#!/bin/sh
# Puts a physical backup into a stopped Galera node's data directory, or empties one, for
# `smartshop backup restore`. Run in a helper container of this image with the node's
# volumes (/var/lib/mysql) and, to restore, the backup's folder read-only at /backup.
#
#   backup-restore.sh restore    the backup becomes this node's data, at the backup's Galera
#                                position, marked safe to bootstrap a cluster from; with
#                                PITR_START set (and the binary logs at /binlogs), rolled
#                                forward first (binlog-pitr.sh apply)
#   backup-restore.sh empty      no data at all: the node joins the next cluster by SST
#
# Exit 3 when the backup cannot be extracted or prepared: it is extracted and prepared
# beside the old data first (.restore, on the same volume), and the old data is removed
# only once that worked.
set -eu

DATADIR=/var/lib/mysql
STAGE=$DATADIR/.restore
action=${1:?restore or empty}

fail() { rm -rf "$STAGE"; echo "backup-restore: $*" >&2; exit 3; }
# everything, hidden files too (grastate.dat, gvwstate.dat, galera.cache), but the stage
empty_datadir() { find "$DATADIR" -mindepth 1 -maxdepth 1 ! -name .restore -exec rm -rf {} +; }

case "$action" in
  empty)
    empty_datadir
    echo "emptied $DATADIR"
    exit 0
    ;;
  restore) ;;
  *) fail "unknown action $action (restore or empty)" ;;
esac

rm -rf "$STAGE" && mkdir "$STAGE"
mbstream -x -C "$STAGE" < /backup/backup.mbstream 2>/tmp/extract.log || { cat /tmp/extract.log >&2; fail "the stream does not extract"; }
mariadb-backup --prepare --target-dir="$STAGE" > /tmp/prepare.log 2>&1 || { tail -20 /tmp/prepare.log >&2; fail "mariadb-backup --prepare failed"; }

info=""
for f in mariadb_backup_galera_info xtrabackup_galera_info; do
  [ -s "$STAGE/$f" ] && { info=$STAGE/$f; break; }
done
[ -n "$info" ] || fail "the backup has no Galera position (taken without --galera-info)"
uuid=$(awk -F: 'NR == 1 { print $1 }' "$info")
seqno=$(awk -F: 'NR == 1 { split($2, s, " "); print s[1] }' "$info")
# RESTORE_FAIL_AT=prepare: the tests' way to prove that a failure here touches nothing
[ "${RESTORE_FAIL_AT:-}" = prepare ] && fail "injected failure at prepare (after it, before the old data is touched: a test of the way back)"
if [ -n "${PITR_START:-}" ]; then
  # still beside the old data: a replay that fails leaves the node as it was
  binlog-pitr.sh apply "$STAGE" || fail "the roll-forward failed"
fi

empty_datadir
find "$STAGE" -mindepth 1 -maxdepth 1 -exec mv {} "$DATADIR"/ \;
rmdir "$STAGE"

# The position the backup is at, safe to bootstrap from: the entrypoint then starts a new
# Primary Component from exactly this state (galera-decide.sh), and the other nodes, empty,
# join it by SST.
cat > "$DATADIR/grastate.dat" <<EOF
# GALERA saved state
version: 2.1
uuid:    $uuid
seqno:   $seqno
safe_to_bootstrap: 1
EOF
chown -R mysql:mysql "$DATADIR"
printf 'restored\t%s\t%s\n' "$uuid" "$seqno"
