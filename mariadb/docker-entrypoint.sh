#!/bin/sh
# Entrypoint of a SmartShop Galera node. Decides on its own whether to bootstrap,
# join or wait (rules in galera-decide.sh), never deletes data, and never starts
# mariadbd at an unknown position: after an unclean stop (grastate seqno -1) it
# runs `mariadbd --wsrep-recover` and starts at the recovered uuid:seqno.
#
# Env: GALERA_NODE_NAME (default hostname), GALERA_PEERS (all cluster members,
# comma-separated; this node is skipped), GALERA_BOOTSTRAP_CANDIDATE=1 (may start a
# brand-new cluster), GALERA_RETRY_SECONDS (3), GALERA_JOIN_SETTLE_SECONDS (120: how
# long to let another node finish joining before joining anyway), DURABILITY=strict|relaxed|fast, BINLOG=on|off,
# MARIADB_ROOT_PASSWORD, MARIADB_DATABASE, MARIADB_USER, MARIADB_PASSWORD (the shop's
# runtime account: DML only), MARIADB_MIGRATION_USER, MARIADB_MIGRATION_PASSWORD (the
# account its migrations run with: DDL on the shop schema), MARIADB_SST_PASSWORD,
# MARIADB_EXPORTER_PASSWORD; MARIADB_BACKUP_PASSWORD (optional: the backup service's
# account). Every other password is required: `make up` writes random ones into .env on
# its first run (stack/secrets.ts).
set -eu

DATADIR=/var/lib/mysql
GRASTATE=$DATADIR/grastate.dat
DECIDE=/usr/local/bin/galera-decide.sh
STATE_DIR=/run/galera
RUNTIME_CNF=/etc/mysql/mariadb.conf.d/70-runtime.cnf
SELF=${GALERA_NODE_NAME:-$(hostname)}
PEERS_ALL=${GALERA_PEERS:-$SELF}
CANDIDATE=${GALERA_BOOTSTRAP_CANDIDATE:-0}
RETRY=${GALERA_RETRY_SECONDS:-3}
JOIN_SETTLE=${GALERA_JOIN_SETTLE_SECONDS:-120}

log() { echo "galera-entrypoint[$SELF]: $*" >&2; }
die() { log "FATAL: $*"; exit 1; }
publish() { echo "status=$1 uuid=$2 seqno=$3" > "$STATE_DIR/state"; }
sql_quote() { printf '%s' "$1" | sed -e "s/\\\\/\\\\\\\\/g" -e "s/'/''/g"; }

case "${DURABILITY:-strict}" in
  strict) flush=1 sync_binlog=1 ;;
  relaxed) flush=2 sync_binlog=0 ;;
  fast) flush=0 sync_binlog=0 ;;
  *) die "DURABILITY must be strict, relaxed or fast (got '${DURABILITY}')" ;;
esac
# BINLOG=off: no binary log (a little more write throughput, no point-in-time restore)
case "${BINLOG:-on}" in
  on) binlog="" ;;
  off) binlog="skip-log-bin" ;;
  *) die "BINLOG must be on or off (got '${BINLOG}')" ;;
esac
# fast never has one: with innodb_flush_log_at_trx_commit=0 a crash of every node leaves the
# binary log (the commit coordinator) ahead of the data, and the recovered positions with it
# (measured: the nodes rejoined level only with the log off)
if [ "${DURABILITY:-strict}" = fast ] && [ -z "$binlog" ]; then
  log "durability fast: the binary log is off (point-in-time restore needs strict or relaxed)"
  binlog="skip-log-bin"
fi

: "${MARIADB_ROOT_PASSWORD:?set MARIADB_ROOT_PASSWORD (make up writes one into .env)}"
: "${MARIADB_SST_PASSWORD:?set MARIADB_SST_PASSWORD (make up writes one into .env)}"
SST_PASSWORD=$MARIADB_SST_PASSWORD

cat > "$RUNTIME_CNF" <<EOF
# Written by docker-entrypoint.sh at every start.
[mysqld]
wsrep_node_name                 = $SELF
wsrep_cluster_address           = gcomm://$PEERS_ALL
wsrep_sst_auth                  = sst:$SST_PASSWORD
# durability profile ${DURABILITY:-strict}
innodb_flush_log_at_trx_commit  = $flush
sync_binlog                     = $sync_binlog
# binary log ${BINLOG:-on}
$binlog
EOF
chmod 0640 "$RUNTIME_CNF"; chgrp mysql "$RUNTIME_CNF"

mkdir -p /run/mysqld "$STATE_DIR"
# a rolling restart took this node out of HAProxy before stopping it (clustercheck.sh): back in once it serves
rm -f "$STATE_DIR/maintenance"
# "this mariadbd has been Synced" (clustercheck.sh): not yet true of the one about to start
rm -f "$STATE_DIR/was-synced"
# "its accounts are on this environment's passwords" (account-passwords.sh): not yet checked
rm -f "$STATE_DIR/accounts-ok"
chown mysql:mysql /run/mysqld "$DATADIR"
publish starting new -1

# The health agent runs from the start so that peers can read this node's position.
socat TCP-LISTEN:9200,fork,reuseaddr,backlog=32 EXEC:/usr/local/bin/clustercheck.sh &

initialise() {
  log "first start: initialising $DATADIR"
  mariadb-install-db --user=mysql --datadir="$DATADIR" --skip-test-db --wsrep-on=OFF > /tmp/install-db.log 2>&1 \
    || { cat /tmp/install-db.log >&2; die "mariadb-install-db failed"; }
  # No binary log while the accounts are made: their CREATE USER ... IDENTIFIED BY statements
  # would sit in mysql-bin.000001 with the passwords in clear, readable by anyone who may
  # stream the log (the backup account) and copied into the binlog archive.
  mariadbd --user=mysql --datadir="$DATADIR" --wsrep-on=OFF --wsrep-provider=none --skip-networking \
    --skip-log-bin --socket=/run/mysqld/init.sock > /tmp/init-server.log 2>&1 &
  pid=$!
  i=0
  until mariadb -S /run/mysqld/init.sock -e 'SELECT 1' >/dev/null 2>&1; do
    i=$((i + 1)); [ "$i" -le 60 ] || { cat /tmp/init-server.log >&2; die "init server did not start"; }
    sleep 1
  done
  root=$(sql_quote "$MARIADB_ROOT_PASSWORD")
  db=${MARIADB_DATABASE:-smartshop}
  user=$(sql_quote "${MARIADB_USER:-smartshop}")
  pass=$(sql_quote "${MARIADB_PASSWORD:?set MARIADB_PASSWORD}")
  migrator=$(sql_quote "${MARIADB_MIGRATION_USER:-smartshop_migrate}")
  migrator_pass=$(sql_quote "${MARIADB_MIGRATION_PASSWORD:?set MARIADB_MIGRATION_PASSWORD}")
  sst=$(sql_quote "$SST_PASSWORD")
  exporter=$(sql_quote "${MARIADB_EXPORTER_PASSWORD:?set MARIADB_EXPORTER_PASSWORD}")
  backup=$(sql_quote "${MARIADB_BACKUP_PASSWORD:-}")
  # Least privilege: root only on this node (unix socket or a password, from inside the
  # container: the drills' `docker exec`), never through HAProxy; the shop's runtime account
  # reads and writes rows (no DDL: a compromised or buggy shop cannot drop a table), its
  # migration account changes the schema and is used only while the shop starts; the
  # SST account only from this host (mariadb-backup runs locally); the exporter only what
  # mysqld_exporter's enabled collectors read (global status and variables, replica status,
  # InnoDB compression tables: PROCESS, REPLICATION CLIENT, SLAVE MONITOR), not SELECT on
  # every table (that would include mysql.global_priv, the password hashes).
  # The backup service's account (backup/service.ts) reads nothing but what mariadb-backup
  # needs to take a consistent copy (BACKUP STAGE, the redo log's progress, the binlog
  # position) and the binary log's stream it archives (REPLICATION SLAVE: the events, no
  # table); created only when its password is given (the Swarm and Ansible stacks run no
  # backup service).
  if [ -n "$backup" ]; then
    backup_sql="CREATE USER 'backup'@'%' IDENTIFIED BY '$backup' WITH MAX_USER_CONNECTIONS 5; GRANT RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR, REPLICATION SLAVE ON *.* TO 'backup'@'%';"
  else
    backup_sql=""
  fi
  # one account for both only when told so (an .env from before the split names the shop's)
  if [ "$migrator" = "$user" ]; then
    migration_sql="GRANT ALL ON \`$db\`.* TO '$user'@'%';"
  else
    migration_sql="CREATE USER '$migrator'@'%' IDENTIFIED BY '$migrator_pass'; GRANT ALL ON \`$db\`.* TO '$migrator'@'%';"
  fi
  mariadb -S /run/mysqld/init.sock <<EOF || die "creating database and users failed"
ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('$root');
CREATE DATABASE IF NOT EXISTS \`$db\`;
CREATE USER '$user'@'%' IDENTIFIED BY '$pass';
GRANT SELECT, INSERT, UPDATE, DELETE ON \`$db\`.* TO '$user'@'%';
$migration_sql
CREATE USER 'sst'@'localhost' IDENTIFIED BY '$sst';
GRANT RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR ON *.* TO 'sst'@'localhost';
CREATE USER 'exporter'@'%' IDENTIFIED BY '$exporter' WITH MAX_USER_CONNECTIONS 3;
GRANT PROCESS, REPLICATION CLIENT, SLAVE MONITOR ON *.* TO 'exporter'@'%';
$backup_sql
FLUSH PRIVILEGES;
EOF
  mariadb-admin -S /run/mysqld/init.sock shutdown
  wait "$pid" || true
  log "initialised: database $db, users ${MARIADB_USER:-smartshop} (DML), ${MARIADB_MIGRATION_USER:-smartshop_migrate} (DDL), sst, exporter${backup:+, backup}"
}

[ -d "$DATADIR/mysql" ] || initialise

# shellcheck disable=SC2046 # split "uuid seqno safe" on purpose
set -- $("$DECIDE" position "$GRASTATE")
uuid=$1 seqno=$2 safe=$3
start_position=""
if [ "$("$DECIDE" needs-recover "$GRASTATE")" = yes ]; then
  log "grastate.dat has seqno -1 (the node did not stop cleanly): running mariadbd --wsrep-recover"
  mariadbd --user=mysql --datadir="$DATADIR" --wsrep-recover --log-error=/tmp/wsrep-recover.log >/dev/null 2>&1 || true
  recovered=$(sed -n 's/.*WSREP: Recovered position: *\([^ ,]*\).*/\1/p' /tmp/wsrep-recover.log | tail -n 1)
  case "$recovered" in
    00000000-0000-0000-0000-000000000000:*|*:-1|"")
      log "recovered position: none ('${recovered}'); see below. This node will not start at an unknown position."
      tail -n 20 /tmp/wsrep-recover.log >&2
      seqno=-1 ;;
    *)
      uuid=${recovered%:*} seqno=${recovered##*:} start_position=$recovered
      log "recovered position: $recovered (will start with --wsrep-start-position=$recovered)" ;;
  esac
fi
log "position $uuid:$seqno safe_to_bootstrap=$safe durability=${DURABILITY:-strict} (flush_log_at_trx_commit=$flush)"
publish waiting "$uuid" "$seqno"

probe_gcomm() { socat -u -T 2 OPEN:/dev/null "TCP:$1:4567,connect-timeout=1" >/dev/null 2>&1; }
probe_agent() {
  printf 'GET / HTTP/1.0\r\n\r\n' | socat -T 2 - "TCP:$1:9200,connect-timeout=1" 2>/dev/null | tail -n 1 | tr -d '\r'
}
peer_lines() {
  for peer in $(echo "$PEERS_ALL" | tr ',' ' '); do
    [ "$peer" = "$SELF" ] && continue
    if probe_gcomm "$peer"; then gcomm=up; else gcomm=down; fi
    report=$(probe_agent "$peer"); [ -n "$report" ] || report=-
    echo "$peer $gcomm $report"
  done
}

last_reason="" last_log=0 gate_since="" settled=0
while :; do
  decision=$(peer_lines | "$DECIDE" decide "$SELF" "$uuid" "$seqno" "$safe" "$CANDIDATE" "$settled")
  action=${decision%% *} reason=${decision#* }
  [ "$action" = wait ] || break
  now=$(date +%s)
  # One join at a time, but never blocked for ever by a peer stuck mid-join.
  case "$reason" in
    *"joins go one at a time"*)
      gate_since=${gate_since:-$now}
      [ $((now - gate_since)) -lt "$JOIN_SETTLE" ] || settled=1 ;;
    *) gate_since="" ;;
  esac
  if [ "$reason" != "$last_reason" ] || [ $((now - last_log)) -ge 60 ]; then
    log "waiting: $reason (retrying every ${RETRY}s)"
    last_reason=$reason last_log=$now
  fi
  sleep "$RETRY"
done

log "$action: $reason"
set -- --user=mysql
if [ "$action" = bootstrap ]; then
  if [ -f "$GRASTATE" ] && [ "$safe" != 1 ]; then
    log "marking safe_to_bootstrap: 1 in grastate.dat (this node is the most advanced)"
    sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$GRASTATE"
  fi
  set -- "$@" --wsrep-new-cluster
fi
[ -z "$start_position" ] || set -- "$@" "--wsrep-start-position=$start_position"
publish "starting-$action" "$uuid" "$seqno"
# once Synced, the accounts take the passwords of this environment (a changed .env):
# account-passwords.sh, detached so that tini, not mariadbd, reaps it
( /usr/local/bin/account-passwords.sh & )
exec mariadbd "$@"
