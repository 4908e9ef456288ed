#!/usr/bin/env bash
# A throwaway PostgreSQL for tests: `tests/postgres.sh start DIR` runs
# initdb into DIR as the `postgres` user (PostgreSQL refuses to run as
# root), starts the server on a free loopback port with its socket in DIR,
# creates the role and database `mailintake`, and prints the URL.
# `tests/postgres.sh createdb DIR NAME` adds an empty database NAME owned
# by `mailintake` and prints its URL. `tests/postgres.sh stop DIR` stops it. Needs the Debian package
# `postgresql` (tests/run.sh and .ci/run install it).
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?DIR}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "postgres.sh: no PostgreSQL server found (apt-get install postgresql)" >&2; exit 1; }
as_pg() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }

case "$cmd" in
start)
  mkdir -p "$dir"
  chown postgres "$dir"
  as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-instructions >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  # TLS with a throwaway self-signed certificate, for `sslmode=require`.
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -keyout "$dir/server.key" -out "$dir/server.crt" >/dev/null 2>&1
  chown postgres "$dir/server.key" "$dir/server.crt"
  chmod 600 "$dir/server.key"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c ssl=on -c ssl_cert_file=$dir/server.crt -c ssl_key_file=$dir/server.key" start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  as_pg "$bin/psql" -h "$dir" -p "$port" -U postgres -q -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE mailintake LOGIN CREATEDB" -c "CREATE DATABASE mailintake OWNER mailintake" >/dev/null
  echo "$port" >"$dir/port"
  echo "postgres://mailintake@127.0.0.1:$port/mailintake"
  ;;
createdb)
  name=${3:?NAME}
  port=$(cat "$dir/port")
  as_pg "$bin/psql" -h "$dir" -p "$port" -U postgres -q -v ON_ERROR_STOP=1 \
    -c "CREATE DATABASE \"$name\" OWNER mailintake" >/dev/null
  echo "postgres://mailintake@127.0.0.1:$port/$name"
  ;;
stop)
  as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  ;;
*) echo "postgres.sh: start|stop DIR" >&2; exit 2 ;;
esac
