#!/usr/bin/env bash
# The project's test command (README, and CI through .ci/run): installs what the tests need, then runs the
# whole Maven reactor with `mvn -B --fail-at-end verify` (unit tests, integration tests, the end-to-end `tests`
# module).
# Exits with Maven's status.
#
#   usage: scripts/test.sh [extra Maven arguments, e.g. -pl agent -am]
#
# What it installs when missing (apt-get, as root):
#   - Envoy (envoy/install.sh -> dist/bin/envoy, exported as ENVOY_BINARY for the tests);
#   - iproute2, iptables and util-linux's setpriv (network-namespace and transparent-proxy tests);
#   - Debian's PostgreSQL server (the store tests start their own on loopback with initdb/pg_ctl);
#     MESHLITE_NEED_POSTGRES=0 skips this step.
set -euo pipefail
# shellcheck source=scripts/java-env.sh
. "$(dirname "${BASH_SOURCE[0]}")/java-env.sh"
cd "$MESHLITE_ROOT"

# ensure_tools: `ip` and `iptables` for the tests that build network namespaces and redirect rules, and
# `setpriv` to run kuma-dp as the transparent proxy's exempt user there.
ensure_tools() {
  local missing=()
  command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || [ -x /sbin/ip ] || missing+=(iproute2)
  command -v iptables >/dev/null 2>&1 || [ -x /usr/sbin/iptables ] || [ -x /sbin/iptables ] || missing+=(iptables)
  command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
  if [ ${#missing[@]} -eq 0 ]; then
    echo "iproute2, iptables and setpriv are present"
  elif meshlite_apt_install "${missing[@]}"; then
    echo "installed: ${missing[*]}"
  else
    echo "warning: ${missing[*]} missing and cannot be installed (needs root and apt-get): tests that need them will fail" >&2
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "note: not running as root: the network-namespace and iptables tests need root"
  fi
}

# ensure_postgres: installs Debian's PostgreSQL server when it is missing. The tests do not use a system
# service: they run initdb/pg_ctl from /usr/lib/postgresql/<version>/bin themselves, on a loopback port.
ensure_postgres() {
  if compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
    echo "PostgreSQL is present: $(compgen -G '/usr/lib/postgresql/*/bin/initdb' | head -n 1)"
  elif meshlite_apt_install postgresql; then
    echo "installed: postgresql"
  else
    meshlite_fail "PostgreSQL is needed (MESHLITE_NEED_POSTGRES=${MESHLITE_NEED_POSTGRES}) but missing: apt-get install postgresql (as root)"
  fi
}

meshlite_section "Environment"
meshlite_describe_env
echo "MAVEN_OPTS=$MAVEN_OPTS ${MESHLITE_MVN_JDK_ARGS[*]}"

meshlite_section "Envoy"
bash envoy/install.sh "$MESHLITE_ROOT/dist/bin/envoy"
export ENVOY_BINARY=$MESHLITE_ROOT/dist/bin/envoy
echo "ENVOY_BINARY=$ENVOY_BINARY ($("$ENVOY_BINARY" --version | sed -n 's/.*version: //p'))"

meshlite_section "System tools"
ensure_tools

if [ "${MESHLITE_NEED_POSTGRES:-1}" != 0 ]; then
  meshlite_section "PostgreSQL"
  ensure_postgres
fi

meshlite_section "mvn -B --fail-at-end verify"
status=0
# --fail-at-end: every module whose dependencies built still runs its tests, so one run shows all failures.
meshlite_mvn -B --fail-at-end verify "$@" || status=$?

meshlite_section "Result"
if [ "$status" -eq 0 ]; then
  echo "all tests passed"
else
  echo "mvn verify failed (exit $status): see the failures above and */target/{surefire,failsafe}-reports/" >&2
fi
exit "$status"
