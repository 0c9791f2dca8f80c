#!/usr/bin/env bash
# Starts (once) a private PostgreSQL server for the tests on 127.0.0.1 and prints its URL.
# Uses Debian's postgresql package (.ci/run installs it); data lives in .pg-test/ (ignored by git).
# Running as root, the server runs as the `postgres` user, as PostgreSQL requires.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
port="${PG_TEST_PORT:-54329}"
data="${PG_TEST_DATA:-$root/.pg-test}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL is not installed: apt-get install -y postgresql" >&2
  exit 3
fi
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if ! "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$data"
    as_pg "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$data -c fsync=off -c max_connections=300" start >/dev/null
fi
echo "postgresql://postgres@127.0.0.1:$port/postgres"
