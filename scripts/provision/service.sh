#!/usr/bin/env bash
# Starts and stops the services the provisioning scripts define, on hosts without systemd
# (MESHLITE_INIT=direct): each runs the script $MESHLITE_HOST_ROOT/etc/meshlite/services/NAME.sh in its own
# session, its pid in .../run/meshlite/NAME.pid, its output in .../var/log/meshlite/NAME.log.
# With systemd it forwards to systemctl.
#
#   service.sh start|stop|restart|status NAME
#   service.sh stop-all          stops every service of this host, the last started first
#   service.sh list              NAME and pid (or "stopped") of every service of this host
set -euo pipefail
MESHLITE_STEP=service
# shellcheck source=scripts/provision/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { mp_fail "usage: service.sh start|stop|restart|status NAME | stop-all | list"; }

pid_of() { # prints the pid of a running service
  local f=$SVC_PIDS/$1.pid pid
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

start() {
  local name=$1 pid
  [ -f "$SVC_DEFS/$name.sh" ] || mp_fail "no service '$name' on this host ($SVC_DEFS/$name.sh is missing)"
  if pid=$(pid_of "$name"); then
    mp_log "$name already runs (pid $pid)"
    return 0
  fi
  mkdir -p "$SVC_PIDS" "$SVC_LOGS"
  setsid bash "$SVC_DEFS/$name.sh" >>"$SVC_LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$SVC_PIDS/$name.pid"
  # the start order, for stop-all
  grep -qx "$name" "$SVC_PIDS/order" 2>/dev/null || echo "$name" >>"$SVC_PIDS/order"
  sleep 0.2
  kill -0 "$!" 2>/dev/null || { tail -n 20 "$SVC_LOGS/$name.log" >&2; mp_fail "$name exited at once (log: $SVC_LOGS/$name.log)"; }
  mp_log "$name started (pid $!, log $SVC_LOGS/$name.log)"
}

# stop NAME: SIGTERM to the service's session (the process and its children, e.g. kuma-dp's Envoy), SIGKILL
# to whatever is left after 45 s (kuma-dp drains for up to 30 s, like the systemd unit's TimeoutStopSec).
stop() {
  local name=$1 pid deadline
  if ! pid=$(pid_of "$name"); then
    rm -f "$SVC_PIDS/$name.pid"
    return 0
  fi
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 45))
  while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$SVC_PIDS/$name.pid"
  mp_log "$name stopped"
}

[ $# -ge 1 ] || usage
if [ "$MESHLITE_INIT" = systemd ]; then
  case $1 in
    start | stop | restart | status) [ $# -eq 2 ] || usage; exec systemctl "$1" "$2" ;;
    *) mp_fail "$1: only start, stop, restart and status with systemd (use systemctl)" ;;
  esac
fi
case $1 in
  start) [ $# -eq 2 ] || usage; start "$2" ;;
  stop) [ $# -eq 2 ] || usage; stop "$2" ;;
  restart) [ $# -eq 2 ] || usage; stop "$2"; start "$2" ;;
  status) [ $# -eq 2 ] || usage; pid_of "$2" >/dev/null || { echo "$2: stopped"; exit 3; }; echo "$2: running (pid $(pid_of "$2"))" ;;
  stop-all)
    if [ -f "$SVC_PIDS/order" ]; then
      tac "$SVC_PIDS/order" | while read -r name; do stop "$name"; done
    fi
    # a PostgreSQL started with pg_ctl (control-plane.sh, direct mode) is stopped the same way
    if [ -f "$SVC_PIDS/postgresql.datadir" ]; then
      bash "$MESHLITE_REPO/scripts/postgres.sh" stop "$(cat "$SVC_PIDS/postgresql.datadir")" || true
      rm -f "$SVC_PIDS/postgresql.datadir"
    fi
    ;;
  list)
    for def in "$SVC_DEFS"/*.sh; do
      [ -f "$def" ] || continue
      name=$(basename "$def" .sh)
      if pid=$(pid_of "$name"); then echo "$name $pid"; else echo "$name stopped"; fi
    done
    ;;
  *) usage ;;
esac
