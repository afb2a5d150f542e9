#!/usr/bin/env bash
# A throw-away PostgreSQL cluster (Debian's postgresql) for n8n in queue mode, where main and workers share
# one database and SQLite is not supported:
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
# unprivileged `postgres` user that Debian's package creates, and DIR belongs to it.
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

# Debian keeps the server programs out of PATH, under /usr/lib/postgresql/<major>/bin.
bindir=""
if command -v pg_ctl >/dev/null 2>&1; then
  bindir="$(dirname "$(readlink -f "$(command -v pg_ctl)")")"
else
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [[ -x "$candidate/pg_ctl" ]] && { bindir="$candidate"; break; }
  done
fi
[[ -n "$bindir" ]] || { log "PostgreSQL is not installed: apt-get install -y postgresql"; exit 1; }

# Runs a server program as the owner of the cluster.
as_owner() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$command_name" in
  start)
    port="${3:-5433}"
    if [[ "$(id -u)" == 0 ]] && ! id postgres >/dev/null 2>&1; then
      log "running as root, but there is no 'postgres' user to run the server (apt-get install -y postgresql creates it)"
      exit 1
    fi
    [[ ! -e "$dir" ]] || { log "$dir exists already; give a new folder"; exit 1; }
    mkdir -p "$dir"
    chmod 700 "$dir"
    [[ "$(id -u)" != 0 ]] || chown postgres: "$dir"
    password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
    printf '%s\n' "$password" >"$dir/password"
    [[ "$(id -u)" != 0 ]] || chown postgres: "$dir/password"
    as_owner "$bindir/initdb" --pgdata="$dir/data" --username=n8n --pwfile="$dir/password" \
      --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bindir/pg_ctl" start --pgdata="$dir/data" --log="$dir/postgres.log" --wait --timeout=60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      >/dev/null || { cat "$dir/postgres.log" >&2; exit 1; }
    PGPASSWORD="$password" "$bindir/psql" -X -q -h 127.0.0.1 -p "$port" -U n8n -d postgres \
      -c 'CREATE DATABASE n8n' >/dev/null
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
