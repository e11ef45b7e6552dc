#!/usr/bin/env bash
# Provisioning step 1, for every host of the demo cluster (control plane and service hosts):
#   - the tools the other steps use (curl, iptables, setpriv),
#   - a Java runtime >= 21 when there is none (Debian's openjdk-25/21, else Eclipse Temurin from Adoptium's
#     apt repository),
#   - the dist (scripts/build.sh's dist/: launchers, jars, Envoy) copied to KUMA_HOME (/opt/kuma),
#   - the users kuma and kuma-dp (uid 5678) from the dist's kuma-sysusers.conf,
#   - with systemd: the dist's kuma-cp.service and kuma-dp@.service.
#
#   common.sh [--dist DIR] [--kuma-home DIR]
#     --dist DIR       the dist/ to install (env MESHLITE_DIST; default: this repository's dist/)
#     --kuma-home DIR  where to install it (env KUMA_HOME; default /opt/kuma)
# Idempotent: run it again after `scripts/build.sh` to install a new dist.
set -euo pipefail
MESHLITE_STEP=common
while [ $# -gt 0 ]; do
  case $1 in
    --dist) MESHLITE_DIST=${2:?--dist needs a directory}; shift 2 ;;
    --kuma-home) KUMA_HOME=${2:?--kuma-home needs a directory}; shift 2 ;;
    -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "common.sh: unknown argument '$1' (see --help)" >&2; exit 1 ;;
  esac
done
# shellcheck source=scripts/provision/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

for bin in kuma-cp kuma-dp kumactl kuma-init kuma-tcp-echo envoy; do
  [ -x "$MESHLITE_DIST/bin/$bin" ] || mp_fail "$MESHLITE_DIST/bin/$bin is missing: run scripts/build.sh on the host first (or pass --dist)"
done

mp_need curl curl
mp_need iptables iptables
mp_need setpriv util-linux

# ---------------------------------------------------------------- Java
# shellcheck source=scripts/lib/jdk.sh
. "$MESHLITE_DIST/bin/.jdk.sh"
if java_home=$(meshlite_find_jdk java); then
  mp_log "Java $(meshlite_java_major "$java_home") at $java_home"
else
  command -v apt-get >/dev/null 2>&1 || mp_fail "no Java >= $MESHLITE_MIN_JAVA and no apt-get: install a Java runtime >= 21"
  installed=false
  for pkg in openjdk-25-jre-headless openjdk-21-jre-headless; do
    if apt-cache show "$pkg" >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-cache show "$pkg" >/dev/null 2>&1; }; then
      mp_log "installing $pkg (Debian)"
      mp_apt "$pkg" && installed=true && break
    fi
  done
  if ! $installed; then
    # Debian 12 and older have no JDK 21: Eclipse Temurin from Adoptium's repository.
    mp_log "installing temurin-21-jre (Adoptium's apt repository)"
    mp_apt ca-certificates gpg
    curl -fsSL https://packages.adoptium.net/artifactory/api/gpg/key/public |
      gpg --dearmor --yes -o /usr/share/keyrings/adoptium.gpg
    . /etc/os-release
    echo "deb [signed-by=/usr/share/keyrings/adoptium.gpg] https://packages.adoptium.net/artifactory/deb $VERSION_CODENAME main" \
      >/etc/apt/sources.list.d/adoptium.list
    apt-get update -qq >/dev/null
    mp_apt temurin-21-jre || mp_fail "could not install a Java runtime >= 21"
  fi
  java_home=$(meshlite_find_jdk java) || mp_fail "a Java runtime was installed but none >= $MESHLITE_MIN_JAVA is found under /usr/lib/jvm"
  mp_log "Java $(meshlite_java_major "$java_home") at $java_home"
fi

# ---------------------------------------------------------------- the dist
src=$(cd "$MESHLITE_DIST" && pwd -P)
mkdir -p "$KUMA_HOME"
dst=$(cd "$KUMA_HOME" && pwd -P)
if [ "$src" = "$dst" ]; then
  mp_log "the dist is used in place: $dst"
else
  # The stamp names the build that was copied: a second host sharing KUMA_HOME (network namespaces) or a
  # second run skips the copy; a new build is copied again.
  stamp="$src $(find "$src/bin" "$src/lib" -type f -printf '%T@ %s\n' | sort -n | tail -n 1) $(find "$src" -type f | wc -l)"
  if [ "$(cat "$dst/.installed-from" 2>/dev/null)" = "$stamp" ]; then
    mp_log "the dist in $dst is up to date"
  else
    mp_log "installing the dist: $src -> $dst"
    tmp=$(mktemp -d "$dst.new.XXXXXX")
    cp -a "$src/." "$tmp/"
    chmod -R a+rX,go-w "$tmp"
    echo "$stamp" >"$tmp/.installed-from"
    rm -rf "$dst.old"
    mkdir -p "$dst"
    mv "$dst" "$dst.old" && mv "$tmp" "$dst" && rm -rf "$dst.old"
    chmod 0755 "$dst"
  fi
fi

# ---------------------------------------------------------------- users
if ! id kuma-dp >/dev/null 2>&1 || ! id kuma >/dev/null 2>&1; then
  if command -v systemd-sysusers >/dev/null 2>&1; then
    systemd-sysusers "$KUMA_HOME/conf/kuma-sysusers.conf"
  else
    id kuma-dp >/dev/null 2>&1 || useradd --system -u "$KUMA_DP_UID" -U -M -d / -s /usr/sbin/nologin -c "Kuma data plane proxy" kuma-dp
    id kuma >/dev/null 2>&1 || useradd --system -U -M -d /var/lib/kuma-cp -s /usr/sbin/nologin -c "Kuma control plane" kuma
  fi
fi
[ "$(id -u kuma-dp)" = "$KUMA_DP_UID" ] ||
  mp_fail "user kuma-dp has uid $(id -u kuma-dp), the transparent proxy needs $KUMA_DP_UID: fix it (usermod -u $KUMA_DP_UID kuma-dp)"
mp_log "users: kuma ($(id -u kuma)), kuma-dp ($(id -u kuma-dp))"
mkdir -p "$KUMA_ETC"
chmod 0755 "$KUMA_ETC"

# ---------------------------------------------------------------- systemd units
if [ "$MESHLITE_INIT" = systemd ]; then
  for unit in kuma-cp.service kuma-dp@.service; do
    sed "s#/opt/kuma/#$KUMA_HOME/#g" "$KUMA_HOME/conf/$unit" >"/etc/systemd/system/$unit"
  done
  systemctl daemon-reload
  mp_log "systemd units installed: kuma-cp.service, kuma-dp@.service"
else
  mp_log "no systemd here (MESHLITE_INIT=direct): services run through scripts/provision/service.sh"
fi
mp_log "done"
