#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the store/sqlstore tests and
# prints the shell lines that point the tests at it:
#
#   eval "$(bash .ci/postgres.sh)"          # start; exports SCIMKIT_POSTGRES_DSN
#   go test ./... (in store/sqlstore)
#   bash .ci/postgres.sh stop "$SCIMKIT_POSTGRES_DIR"   # stop and delete it
#
# It runs as root on Debian 12: PostgreSQL is installed with apt-get when
# missing, the server runs as the "postgres" user (runuser), its data
# directory and unix sockets live in a new mktemp directory, and it listens
# on 127.0.0.1 only, on SCIMKIT_POSTGRES_PORT (default 54329, or the next
# free port). Running it again starts another independent server. Progress
# goes to stderr; stdout carries only the export lines.
set -euo pipefail

log() { echo "postgres.sh: $*" >&2; }

# as_postgres runs a command as the postgres user, from the root
# directory: the caller's working directory may be one that user cannot
# enter, which the PostgreSQL tools would complain about.
as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

find_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

if [ "${1:-}" = "stop" ]; then
  dir="${2:-${SCIMKIT_POSTGRES_DIR:-}}"
  if [ -z "$dir" ] || [ ! -d "$dir/data" ]; then
    log "nothing to stop (give the directory printed as SCIMKIT_POSTGRES_DIR)"
    exit 0
  fi
  bindir=$(find_bindir)
  as_postgres "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
  rm -rf "$dir"
  log "stopped and removed $dir"
  exit 0
fi

if ! bindir=$(find_bindir); then
  log "installing PostgreSQL"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bindir=$(find_bindir)
fi
if ! id postgres >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
fi

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
port="${SCIMKIT_POSTGRES_PORT:-54329}"
for _ in $(seq 1 100); do
  if port_free "$port"; then break; fi
  port=$((port + 1))
done

dir=$(mktemp -d /tmp/scimkit-pg.XXXXXX)
chmod 755 "$dir"
chown postgres "$dir"
as_postgres "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 1; }
as_postgres "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >&2 || { cat "$dir/server.log" >&2; exit 1; }
as_postgres "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres scimkit_test >&2

log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir"
echo "export SCIMKIT_POSTGRES_DSN='postgres://postgres@127.0.0.1:$port/scimkit_test?sslmode=disable'"
echo "export SCIMKIT_POSTGRES_DIR='$dir'"
echo "# stop with: bash $(cd "$(dirname "$0")" && pwd)/postgres.sh stop '$dir'"
