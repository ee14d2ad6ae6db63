#!/usr/bin/env bash
# A streaming replica of the local PostgreSQL on another port, for the replica test (.ci/run):
#   bash .ci/replica.sh start   # pg_basebackup -R into $KEHU_REPLICA_DIR, started on port 5433
#   bash .ci/replica.sh stop    # stops it and removes its folder
# The primary must accept replication connections from 127.0.0.1: the script adds a trust line
# for the postgres user to pg_hba.conf when none allows replication (and reloads). PostgreSQL
# refuses to run as root: the replica runs as the postgres OS user when the script runs as root.
set -euo pipefail
PORT=${KEHU_REPLICA_PORT:-5433}
DIR=${KEHU_REPLICA_DIR:-/tmp/kehu-replica-$PORT}
PGBIN=/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -V | tail -n1)/bin
PSQL=(psql -h 127.0.0.1 -p 5432 -U postgres -Atc)
as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop() {
    if [ -f "$DIR/postmaster.pid" ]; then
        as_postgres "$PGBIN/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$DIR"
}

if [ "${1:-start}" = stop ]; then
    stop
    exit 0
fi

stop
if [ "$("${PSQL[@]}" "select count(*) from pg_hba_file_rules where 'replication' = any(database)")" = 0 ]; then
    echo "host replication postgres 127.0.0.1/32 trust" >>"$("${PSQL[@]}" "show hba_file")"
    "${PSQL[@]}" "select pg_reload_conf()" >/dev/null
    sleep 1
fi
mkdir -p "$DIR"
chmod 700 "$DIR"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
as_postgres pg_basebackup -h 127.0.0.1 -p 5432 -U postgres -D "$DIR" -R -X stream -c fast
# A hot standby needs at least the primary's limits; the configuration files live outside the
# data folder on Debian, so the replica gets its own.
setting() { "${PSQL[@]}" "show $1"; }
as_postgres tee "$DIR/postgresql.conf" >/dev/null <<CONF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR'
hot_standby = on
hot_standby_feedback = on
max_connections = $(setting max_connections)
max_worker_processes = $(setting max_worker_processes)
max_wal_senders = $(setting max_wal_senders)
max_prepared_transactions = $(setting max_prepared_transactions)
max_locks_per_transaction = $(setting max_locks_per_transaction)
shared_buffers = 32MB
CONF
as_postgres tee "$DIR/pg_hba.conf" >/dev/null <<CONF
local all all trust
host all all 127.0.0.1/32 trust
CONF
as_postgres touch "$DIR/pg_ident.conf"
as_postgres "$PGBIN/pg_ctl" -D "$DIR" -l "$DIR/replica.log" -w -t 60 start >/dev/null
for _ in $(seq 1 30); do
    if [ "$(psql -h 127.0.0.1 -p "$PORT" -U postgres -Atc 'select pg_is_in_recovery()' 2>/dev/null)" = t ]; then
        echo "replica: streaming from 127.0.0.1:5432 on 127.0.0.1:$PORT ($DIR)"
        exit 0
    fi
    sleep 1
done
echo "replica: did not start; see $DIR/replica.log" >&2
exit 1
