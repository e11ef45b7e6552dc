# shellcheck shell=bash
# Sourced by the provisioning scripts (common.sh, control-plane.sh, service-host.sh, service.sh). One host's
# layout and the two ways of running its services:
#
#   MESHLITE_INIT       systemd | direct. Default: systemd when it runs this host (PID 1 is systemd and we are
#                       in its network namespace), else direct. direct starts each service as a plain
#                       background process (own session, pid file, log file): for network namespaces,
#                       containers and any host without systemd.
#   MESHLITE_HOST_ROOT  prefix for every file the scripts write on the host (/etc/kuma, /var/lib/kuma-cp,
#                       /run/kuma-dp, ...). Empty (the default) means the real paths. Only with direct: lets
#                       several "hosts" (network namespaces) share one file system.
#   KUMA_HOME           where the dist is installed (default /opt/kuma)
#   MESHLITE_DIST       the dist/ to install from (default: the repository's dist/, built by scripts/build.sh)
#   MESHLITE_SHARED     a directory both the control plane and the service hosts see (Vagrant: the synced
#                       folder). The control plane writes its CA certificate and the dataplane tokens there.
#
# Service users: kuma (kuma-cp), kuma-dp (uid 5678, exempt from the transparent proxy's redirection: Envoy
# runs as it), nobody (the demo app).

MESHLITE_PROVISION_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MESHLITE_REPO=$(cd "$MESHLITE_PROVISION_DIR/../.." && pwd)

KUMA_HOME=${KUMA_HOME:-/opt/kuma}
MESHLITE_DIST=${MESHLITE_DIST:-$MESHLITE_REPO/dist}
MESHLITE_SHARED=${MESHLITE_SHARED:-/vagrant/.cluster}
MESHLITE_HOST_ROOT=${MESHLITE_HOST_ROOT:-}
MESHLITE_HOST_ROOT=${MESHLITE_HOST_ROOT%/}
# shellcheck disable=SC2034  # the layout variables are read by the scripts that source this file
KUMA_DP_UID=5678

mp_fail() {
  printf '%s: %s\n' "${MESHLITE_STEP:-provision}" "$*" >&2
  exit 1
}

mp_log() {
  printf '[%s] %s\n' "${MESHLITE_STEP:-provision}" "$*"
}

[ "$(id -u)" = 0 ] || mp_fail "must run as root (it installs packages, users, iptables rules and services)"

if [ -z "${MESHLITE_INIT:-}" ]; then
  if [ -d /run/systemd/system ] && [ "$(readlink /proc/1/ns/net 2>/dev/null)" = "$(readlink /proc/self/ns/net)" ] &&
    [ -z "$MESHLITE_HOST_ROOT" ]; then
    MESHLITE_INIT=systemd
  else
    MESHLITE_INIT=direct
  fi
fi
case $MESHLITE_INIT in
  systemd) [ -z "$MESHLITE_HOST_ROOT" ] || mp_fail "MESHLITE_HOST_ROOT needs MESHLITE_INIT=direct (systemd units use the real paths)" ;;
  direct) ;;
  *) mp_fail "MESHLITE_INIT=$MESHLITE_INIT: expected systemd or direct" ;;
esac

R=$MESHLITE_HOST_ROOT
# shellcheck disable=SC2034
KUMA_ETC=$R/etc/kuma
# shellcheck disable=SC2034
CP_STATE=$R/var/lib/kuma-cp
# shellcheck disable=SC2034
DP_RUN=$R/run/kuma-dp
# direct mode: one script per service (what systemd's ExecStart= would run), pid and log files.
SVC_DEFS=$R/etc/meshlite/services
SVC_PIDS=$R/run/meshlite
SVC_LOGS=$R/var/log/meshlite
export KUMA_HOME MESHLITE_DIST MESHLITE_SHARED MESHLITE_HOST_ROOT MESHLITE_INIT

# mp_wait WHAT SECONDS COMMAND...: retries COMMAND every half second until it succeeds.
mp_wait() {
  local what=$1 deadline=$((SECONDS + $2))
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || mp_fail "$what: not done after $((SECONDS - deadline + $2))s"
    sleep 0.5
  done
}

mp_http_ok() {
  curl -fs --max-time 2 -o /dev/null "$1"
}

# mp_define_service NAME USER ENVFILE COMMAND...: direct mode's unit: $SVC_DEFS/NAME.sh runs COMMAND as USER
# with the variables of ENVFILE (may be "-" for none), in the foreground.
mp_define_service() {
  local name=$1 user=$2 envfile=$3 uid gid home
  shift 3
  uid=$(id -u "$user") gid=$(id -g "$user")
  home=$(getent passwd "$user" | cut -d: -f6)
  mkdir -p "$SVC_DEFS" "$SVC_PIDS" "$SVC_LOGS"
  {
    echo '#!/usr/bin/env bash'
    echo "# $name, started by scripts/provision/service.sh (MESHLITE_INIT=direct)"
    echo 'set -a'
    if [ "$envfile" != - ]; then printf '. %q\n' "$envfile"; fi
    echo 'set +a'
    printf 'export HOME=%q\n' "${home:-/}"
    printf 'exec setpriv --reuid=%s --regid=%s --init-groups --' "$uid" "$gid"
    printf ' %q' "$@"
    echo
  } >"$SVC_DEFS/$name.sh"
  chmod 0750 "$SVC_DEFS/$name.sh"
}

# mp_service ACTION NAME: start | stop | restart | enable (start now and at boot) for one service, through
# systemctl or, in direct mode, through service.sh.
mp_service() {
  if [ "$MESHLITE_INIT" = systemd ]; then
    case $1 in
      enable) systemctl enable --now "$2" ;;
      *) systemctl "$1" "$2" ;;
    esac
  else
    case $1 in
      enable) bash "$MESHLITE_PROVISION_DIR/service.sh" start "$2" ;;
      *) bash "$MESHLITE_PROVISION_DIR/service.sh" "$1" "$2" ;;
    esac
  fi
}

# mp_service_log NAME: the last lines of a service's log (for error messages).
mp_service_log() {
  if [ "$MESHLITE_INIT" = systemd ]; then
    journalctl -u "$1" -n 20 --no-pager 2>/dev/null || true
  else
    tail -n 20 "$SVC_LOGS/$1.log" 2>/dev/null || true
  fi
}

# mp_apt PACKAGE...: apt-get install, updating the lists once if a package is not found.
mp_apt() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
}

# mp_need COMMAND PACKAGE: installs PACKAGE when COMMAND is missing.
mp_need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 || mp_fail "$1 is missing and there is no apt-get: install $2"
  mp_log "installing $2"
  mp_apt "$2" || mp_fail "apt-get install $2 failed"
}
