#!/bin/sh
# Opens a backup in a throw-away server and prints what it holds: a backup nobody has
# restored is a hope, not a backup. Run by `smartshop backup create` in a helper container
# of this image, with the backup's folder mounted read-only at /backup and no network; or
# by the stack's backup service in its own container, with BACKUP_DIR naming the folder.
#
#   backup-inspect.sh physical|logical [database]
#
# physical: $BACKUP_DIR/backup.mbstream (mariadb-backup --stream) is extracted and prepared;
# logical: $BACKUP_DIR/dump.sql is loaded into a fresh data directory. Either way a mariadbd with
# no network, no grants and no Galera starts on the result, and this prints tab-separated:
#   galera   <cluster uuid>  <seqno>          (physical: the position the backup is at)
#   binlog   <file>  <position>  <gtid>       (when the node had its binary log on)
#   table    <name>  <rows>  <checksum>       (each table of the database)
#   version  server|tool  <version>
# Exit 3 when the backup cannot be opened (its stream or dump is broken).
set -eu

kind=${1:?physical or logical}
db=${2:-smartshop}
src=${BACKUP_DIR:-/backup}
# everything in one scratch folder, removed at the end: the backup service runs this once an hour
scratch=$(mktemp -d /tmp/inspect.XXXXXX)
work=$scratch/data
sock=$scratch/server.sock
mkdir -p "$work"
# the servers below run as mysql: the scratch folder (mode 0700 from mktemp) must be theirs
chown mysql:mysql "$scratch" "$work"
cleanup() {
  [ -f "$scratch/server.pid" ] && kill "$(cat "$scratch/server.pid")" 2>/dev/null
  rm -rf "$scratch"
}
trap cleanup EXIT

fail() { echo "backup-inspect: $*" >&2; exit 3; }

case "$kind" in
  physical)
    mbstream -x -C "$work" < "$src/backup.mbstream" 2>"$scratch/extract.log" || { cat "$scratch/extract.log" >&2; fail "the stream does not extract"; }
    mariadb-backup --prepare --target-dir="$work" > "$scratch/prepare.log" 2>&1 || { tail -20 "$scratch/prepare.log" >&2; fail "mariadb-backup --prepare failed"; }
    for f in mariadb_backup_galera_info xtrabackup_galera_info; do
      if [ -s "$work/$f" ]; then
        # uuid:seqno (newer versions add a domain and a gtid after more colons)
        awk -F: 'NR == 1 { split($2, seq, " "); printf "galera\t%s\t%s\n", $1, seq[1] }' "$work/$f"
        break
      fi
    done
    for f in mariadb_backup_binlog_info xtrabackup_binlog_info; do
      if [ -s "$work/$f" ]; then
        awk 'NR == 1 { printf "binlog\t%s\t%s\t%s\n", $1, $2, $3 }' "$work/$f"
        break
      fi
    done
    ;;
  logical)
    mariadb-install-db --no-defaults --datadir="$work" --user=mysql --skip-test-db > "$scratch/install.log" 2>&1 || { tail -20 "$scratch/install.log" >&2; fail "could not create a data directory"; }
    sed -n 's/^-- CHANGE MASTER TO MASTER_LOG_FILE=.\([^'"'"']*\).*MASTER_LOG_POS=\([0-9]*\).*/binlog\t\1\t\2\t/p' "$src/dump.sql" | head -1
    ;;
  *) fail "unknown kind $kind (physical or logical)" ;;
esac

chown -R mysql:mysql "$scratch"
mariadbd --no-defaults --user=mysql --datadir="$work" --socket="$sock" --pid-file="$scratch/server.pid" \
  --skip-networking --skip-grant-tables --innodb-buffer-pool-size=64M > "$scratch/server.log" 2>&1 &
i=0
until mariadb-admin --socket="$sock" ping > /dev/null 2>&1; do
  i=$((i + 1))
  [ "$i" -le 120 ] || { tail -20 "$scratch/server.log" >&2; fail "the server did not start on the backup within 60 s"; }
  sleep 0.5
done

if [ "$kind" = logical ]; then
  mariadb --socket="$sock" < "$src/dump.sql" 2>"$scratch/load.log" || { tail -5 "$scratch/load.log" >&2; fail "the dump does not load"; }
fi

sql() { mariadb --socket="$sock" -N -B -e "$1"; }
for t in $(sql "SELECT table_name FROM information_schema.tables WHERE table_schema = '$db' AND table_type = 'BASE TABLE' ORDER BY table_name"); do
  rows=$(sql "SELECT COUNT(*) FROM \`$db\`.\`$t\`")
  sum=$(sql "CHECKSUM TABLE \`$db\`.\`$t\`" | cut -f2)
  printf 'table\t%s\t%s\t%s\n' "$t" "$rows" "$sum"
done
printf 'version\tserver\t%s\n' "$(sql 'SELECT VERSION()')"
printf 'version\ttool\t%s\n' "$(mariadb-backup --version 2>&1 | head -1)"
mariadb-admin --socket="$sock" shutdown
# the server has gone: nothing for cleanup to kill
i=0
while [ -f "$scratch/server.pid" ] && [ "$i" -lt 60 ]; do i=$((i + 1)); sleep 0.5; done
