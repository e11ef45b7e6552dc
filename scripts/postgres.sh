#!/usr/bin/env bash
# A throwaway PostgreSQL for tests, CI and demos: loopback only, trust authentication.
#
#   scripts/postgres.sh install            install Debian's postgresql if no server binaries exist (root)
#   scripts/postgres.sh start DIR [PORT]   initdb DIR if empty, start on 127.0.0.1:PORT (default 15432,
#                                          Kuma's default), create role/database kuma, print the env
#   scripts/postgres.sh stop DIR           stop the server of DIR
#   scripts/postgres.sh env DIR [PORT]     print the KUMA_STORE_* variables for DIR's server
#
# As root the server runs as user postgres (initdb refuses root), so DIR must be reachable by it:
# use a directory under /tmp. The socket lives in DIR. Use `eval "$(scripts/postgres.sh env DIR)"`.
set -euo pipefail

die() { echo "postgres.sh: $*" >&2; exit 1; }

pg_bin() {
  if [[ -n "${PG_BIN:-}" && -x "${PG_BIN}/pg_ctl" ]]; then echo "$PG_BIN"; return 0; fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -n "$d" && -x "$d/initdb" ]]; then echo "$d"; return 0; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return 0; fi
  return 1
}

install() {
  if pg_bin >/dev/null; then return 0; fi
  [[ $(id -u) -eq 0 ]] || die "PostgreSQL server binaries not found and not root: install the 'postgresql' package (or set PG_BIN)"
  echo "postgres.sh: installing postgresql (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postgresql >&2
  pg_bin >/dev/null || die "postgresql installed but no initdb found under /usr/lib/postgresql/*/bin"
}

# Runs a command as the server's owner: postgres when we are root, else ourselves.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    if command -v runuser >/dev/null 2>&1; then runuser -u postgres -- "$@"; else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; fi
  else
    "$@"
  fi
}

running_port() { # prints the port of DIR's running server, if any
  local dir=$1
  [[ -f "$dir/postmaster.pid" ]] || return 1
  as_owner "$(pg_bin)/pg_ctl" -D "$dir" status >/dev/null 2>&1 || return 1
  sed -n 4p "$dir/postmaster.pid"
}

print_env() {
  local dir=$1 port=$2
  cat <<ENV
export KUMA_STORE_TYPE=postgres
export KUMA_STORE_POSTGRES_HOST=127.0.0.1
export KUMA_STORE_POSTGRES_PORT=$port
export KUMA_STORE_POSTGRES_USER=kuma
export KUMA_STORE_POSTGRES_PASSWORD=kuma
export KUMA_STORE_POSTGRES_DB_NAME=kuma
export KUMA_STORE_POSTGRES_TLS_MODE=disable
export MESHLITE_PG_DIR=$dir
ENV
}

start() {
  local dir=${1:?usage: start DIR [PORT]} port=${2:-15432}
  install
  local bin; bin=$(pg_bin)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "user postgres does not exist (is the postgresql package installed?)"
    chown postgres:postgres "$dir"
    as_owner test -x "$dir" || die "$dir is not reachable by user postgres: use a directory under /tmp"
  fi
  chmod 700 "$dir"
  if [[ ! -f "$dir/PG_VERSION" ]]; then
    local log; log=$(mktemp)
    as_owner "$bin/initdb" -D "$dir" -A trust -U postgres -E UTF8 --locale=C -N >"$log" 2>&1 \
      || { cat "$log" >&2; rm -f "$log"; die "initdb failed in $dir"; }
    rm -f "$log"
  fi
  if p=$(running_port "$dir"); then
    echo "postgres.sh: already running in $dir on port $p" >&2
    port=$p
  else
    as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >&2 \
      || { tail -n 20 "$dir/server.log" >&2 || true; die "the server in $dir did not start on port $port"; }
  fi
  local psql=("$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA)
  if [[ -z $(as_owner "${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = 'kuma'") ]]; then
    as_owner "${psql[@]}" -c "CREATE ROLE kuma LOGIN PASSWORD 'kuma'" >/dev/null
  fi
  if [[ -z $(as_owner "${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = 'kuma'") ]]; then
    as_owner "${psql[@]}" -c "CREATE DATABASE kuma OWNER kuma" >/dev/null
  fi
  print_env "$dir" "$port"
}

stop() {
  local dir=${1:?usage: stop DIR}
  [[ -f "$dir/PG_VERSION" ]] || die "$dir is not a PostgreSQL data directory"
  if running_port "$dir" >/dev/null; then
    as_owner "$(pg_bin)/pg_ctl" -D "$dir" -m fast -w -t 60 stop >&2
  else
    echo "postgres.sh: no server running in $dir" >&2
  fi
}

env_cmd() {
  local dir=${1:?usage: env DIR [PORT]} port=${2:-15432}
  dir=$(cd "$dir" && pwd)
  if p=$(running_port "$dir"); then port=$p; fi
  print_env "$dir" "$port"
}

case "${1:-}" in
  install) install ;;
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  env) shift; env_cmd "$@" ;;
  *) die "usage: $0 install | start DIR [PORT] | stop DIR | env DIR [PORT]" ;;
esac
