#!/usr/bin/env bash
# Starts one broker node of the lab's RabbitMQ cluster (rabbitmq/rabbitmq.conf).
#  - the Erlang cookie every node and CLI tool of the cluster shares, from the environment;
#  - the accounts (admin, shop, worker) and their permissions as a definitions file holding
#    salted SHA-256 hashes only, imported at every boot, so a password changed in .env takes
#    effect when the node restarts; no `guest`;
#  - on a node's first boot, the nodes other than the seed wait for it, so the three form one
#    cluster instead of three (classic peer discovery joins the first peer it can reach).
# Env: RABBITMQ_COOKIE, RABBITMQ_ADMIN_PASSWORD, RABBITMQ_SHOP_PASSWORD,
# RABBITMQ_WORKER_PASSWORD (required); RABBITMQ_SEED (default rabbitmq-1);
# RABBITMQ_SCHEDULERS (Erlang schedulers, default 1: the lab shares two cores).
set -euo pipefail

say() { printf '[entrypoint] %s\n' "$*"; }
die() { printf '[entrypoint] %s\n' "$*" >&2; exit 1; }

for v in RABBITMQ_COOKIE RABBITMQ_ADMIN_PASSWORD RABBITMQ_SHOP_PASSWORD RABBITMQ_WORKER_PASSWORD; do
  [ -n "${!v:-}" ] || die "$v is not set: run \`make up\` once (it writes random passwords into .env) or set it there"
done

home=/var/lib/rabbitmq
install -d -o rabbitmq -g rabbitmq -m 0750 "$home"
umask 077
printf '%s' "$RABBITMQ_COOKIE" > "$home/.erlang.cookie"
chown rabbitmq:rabbitmq "$home/.erlang.cookie"
chmod 0400 "$home/.erlang.cookie"

# rabbit_password_hashing_sha256: base64(salt ++ sha256(salt ++ password)), 4 random bytes
# of salt. Erlang reads the passwords from its environment: none appears in a process list.
defs=/run/rabbitmq-definitions
install -d -o rabbitmq -g rabbitmq -m 0700 "$defs"
hash_of() {
  PW_VAR="$1" erl -noshell -noinput -eval '
    P = unicode:characters_to_binary(os:getenv(os:getenv("PW_VAR"))),
    Salt = crypto:strong_rand_bytes(4),
    io:format("~s", [base64:encode(<<Salt/binary, (crypto:hash(sha256, <<Salt/binary, P/binary>>))/binary>>)]),
    halt().'
}
admin_hash=$(hash_of RABBITMQ_ADMIN_PASSWORD)
shop_hash=$(hash_of RABBITMQ_SHOP_PASSWORD)
worker_hash=$(hash_of RABBITMQ_WORKER_PASSWORD)
# shop: declares the fulfilment queues and publishes through the default exchange (its
# relay; it reads nothing); worker: declares and consumes them; admin: the management UI
# and `smartshop queue`.
cat > "$defs/definitions.json" <<JSON
{
  "users": [
    {"name": "admin", "password_hash": "$admin_hash", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ["administrator"]},
    {"name": "shop", "password_hash": "$shop_hash", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": []},
    {"name": "worker", "password_hash": "$worker_hash", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": []}
  ],
  "vhosts": [{"name": "/"}],
  "permissions": [
    {"user": "admin", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"},
    {"user": "shop", "vhost": "/", "configure": "^fulfilment.*", "write": "^(fulfilment.*|amq\\\\.default)$", "read": "^$"},
    {"user": "worker", "vhost": "/", "configure": "^fulfilment.*", "write": "^(fulfilment.*|amq\\\\.default)$", "read": "^fulfilment.*"}
  ]
}
JSON
chown rabbitmq:rabbitmq "$defs/definitions.json"

node_dir="$home/mnesia/rabbit@$(hostname -s)"
seed="${RABBITMQ_SEED:-rabbitmq-1}"
if [ "$(hostname -s)" != "$seed" ] && [ ! -d "$node_dir" ]; then
  say "first boot: waiting for $seed to accept connections before joining it"
  joined=0
  for _ in $(seq 1 90); do
    if (exec 3<>"/dev/tcp/$seed/5672") 2>/dev/null; then joined=1; break; fi
    sleep 2
  done
  # alone, this node would form a cluster of its own: exit, and Docker starts it to wait again
  [ "$joined" = 1 ] || die "$seed did not accept connections within 180 s; not starting alone"
fi

# the hashes are written: the clear passwords need not stay in the server's environment
unset RABBITMQ_ADMIN_PASSWORD RABBITMQ_SHOP_PASSWORD RABBITMQ_WORKER_PASSWORD RABBITMQ_COOKIE

sched="${RABBITMQ_SCHEDULERS:-1}"
# No busy-waiting schedulers: on a shared two-core machine they burn CPU the databases need.
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="+S ${sched}:${sched} +sbwt none +sbwtdcpu none +sbwtdio none ${RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS:-}"
say "starting rabbit@$(hostname -s)"
exec rabbitmq-server
