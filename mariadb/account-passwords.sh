#!/bin/bash
# Makes this node's accounts use the passwords in its environment, once it is Synced.
# Started in the background by docker-entrypoint.sh at every start. A node's data keeps the
# passwords it was initialised with; without this step a password changed in .env (by hand,
# or by `stack up` renewing ones found in an old binary log: stack/lifecycle.ts)
# would leave the accounts on the old one for ever.
#
# How, and why this way:
# - Only hashes travel: the mysql_native_password hash is computed here, and the statement is
#   `IDENTIFIED BY PASSWORD '*…'` sent on stdin, so no password is in a statement the server
#   sees (its process list, an error message, a log), nor on a command line.
# - Each node changes only itself, with the binary log off for the session (sql_log_bin=0)
#   and Galera's replication off (wsrep_on=OFF): a replicated ALTER USER would be written to
#   every node's binary log (log_slave_updates). Every node runs this with the same
#   environment, so they agree once each has started; the accounts live in Aria tables, which
#   Galera does not replicate row by row.
# - Only after Synced: a joiner's data is replaced by the donor's during SST.
# - An account that does not exist is left alone (ALTER USER IF EXISTS): no account is made here.
set -u

SELF=${GALERA_NODE_NAME:-$(hostname)}
# clustercheck.sh answers 503 (HAProxy, Docker's health) until this exists: clients reach the
# node only once its accounts take the passwords they were given
ACCOUNTS_OK=/run/galera/accounts-ok

log() { echo "galera-entrypoint[$SELF]: $*" >&2; }
sql_quote() { printf '%s' "$1" | sed -e "s/\\\\/\\\\\\\\/g" -e "s/'/''/g"; }

# mysql_native_password's hash: '*' and SHA1(SHA1(password)) in upper-case hex, as PASSWORD() gives
native_hash() {
  local stage1
  stage1=$(printf '%s' "$1" | sha1sum | cut -c1-40)
  # shellcheck disable=SC2059 # the format is the \xHH escapes of stage1's bytes, on purpose
  printf '*%s' "$(printf "$(printf '%s' "$stage1" | sed 's/../\\x&/g')" | sha1sum | cut -c1-40 | tr a-f A-F)"
}

synced() { [ "$(mariadb -N -B -e "SHOW GLOBAL STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2)" = Synced ]; }

# user host variable: the accounts docker-entrypoint.sh creates, and where each one's password is
accounts="root localhost MARIADB_ROOT_PASSWORD
${MARIADB_USER:-smartshop} % MARIADB_PASSWORD
sst localhost MARIADB_SST_PASSWORD
exporter % MARIADB_EXPORTER_PASSWORD
backup % MARIADB_BACKUP_PASSWORD"
# one account for both when the migration user is the shop's (an .env from before the split)
if [ "${MARIADB_MIGRATION_USER:-smartshop_migrate}" != "${MARIADB_USER:-smartshop}" ]; then
  accounts="$accounts
${MARIADB_MIGRATION_USER:-smartshop_migrate} % MARIADB_MIGRATION_PASSWORD"
fi

# Succeeds when every account has its environment's password (changing those that did not).
apply() {
  local current statements="" changed="" user host variable password want have account
  current=$(mariadb -N -B -e "SELECT CONCAT(User, '@', Host), authentication_string FROM mysql.user") || return 1
  while read -r user host variable; do
    password=${!variable:-}
    [ -n "$password" ] || continue
    want=$(native_hash "$password")
    have=$(printf '%s\n' "$current" | awk -F '\t' -v a="$user@$host" '$1 == a { print $2 }')
    # no such account, or already right
    if [ -z "$have" ] || [ "$have" = "$want" ]; then continue; fi
    account="'$(sql_quote "$user")'@'$(sql_quote "$host")'"
    if [ "$user" = root ]; then
      # root keeps the unix socket: `docker exec … mariadb` as the container's root needs no password
      statements="$statements ALTER USER IF EXISTS $account IDENTIFIED VIA unix_socket OR mysql_native_password USING '$want';"
    else
      statements="$statements ALTER USER IF EXISTS $account IDENTIFIED BY PASSWORD '$want';"
    fi
    changed="$changed $user@$host"
  done <<< "$accounts"
  [ -n "$statements" ] || return 0
  # on stdin, not in argv: a command line is readable by every process of the host (ps)
  # bounded: a lock held by a backup must not keep the node out of service for a day
  printf '%s\n' "SET SESSION lock_wait_timeout = 10; SET SESSION sql_log_bin = 0; SET SESSION wsrep_on = OFF;$statements" \
    | timeout 60 mariadb || return 1
  log "account passwords changed to the ones in this node's environment:$changed (this node only, nothing written to the binary log)"
}

# No deadline: this lives as long as the node's container, and the node is not healthy meanwhile.
# every half second for the first minute (a restart: Synced within seconds), then every 5 s
# (a long SST, a node waiting for a majority)
polls=0
until synced; do
  polls=$((polls + 1))
  if [ "$polls" -le 120 ]; then sleep 0.5; else sleep 5; fi
done
until apply; do
  log "could not check or change the account passwords (see above); trying again in 10 s. Until then clustercheck.sh reports this node unavailable"
  sleep 10
done
: > "$ACCOUNTS_OK"
