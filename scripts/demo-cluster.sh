#!/usr/bin/env bash
# The demo cluster without a hypervisor: the three "VMs" of the Vagrantfile as network namespaces on this
# machine, provisioned by exactly the same scripts (scripts/provision/), with services started directly
# instead of by systemd (MESHLITE_INIT=direct).
#
#   <prefix>-cp       10.211.0.10  PostgreSQL + kuma-cp (control-plane.sh)
#   <prefix>-web      10.211.0.11  demo service "web"     + kuma-dp + transparent proxy (service-host.sh)
#   <prefix>-backend  10.211.0.12  demo service "backend" + kuma-dp + transparent proxy (service-host.sh)
#   <prefix>-net      the bridge joining them (10.211.0.1); nothing is added to this machine's own network
#
# Each host has its own addresses, routes and iptables; its files live under WORK/hosts/<host> (its "/"), the
# dist is installed once to WORK/opt/kuma, and WORK/shared plays the Vagrant synced folder.
#
#   usage: scripts/demo-cluster.sh [run] [--keep] [--no-build] [--dist DIR] [--prefix P] [--work DIR]
#          scripts/demo-cluster.sh up    [--no-build] [--dist DIR] [--prefix P] [--work DIR]
#          scripts/demo-cluster.sh down  --work DIR
#     run (default)  up, then show web -> backend.mesh over mTLS and a MeshTrafficPermission denying
#                    backend -> web, then down (with --keep: leave it running until Ctrl-C)
#     up             create and provision the cluster and leave it running; prints its work dir
#     down           stop every process of the cluster, delete its namespaces and its work dir
#     --no-build     use the dist/ that is there (default: scripts/build.sh first)
#     --dist DIR     install this dist instead of the repository's dist/ (implies --no-build)
#     --prefix P     namespace prefix (default ml-dc)
#     --work DIR     the cluster's work dir (default: a new temporary dir)
# Needs root, iproute2, iptables and curl. Once up, try for example:
#   ip netns exec ml-dc-web curl -sS --http0.9 http://backend.mesh/
set -euo pipefail
set +m
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

cmd=run keep=false build=true dist=$ROOT/dist prefix=ml-dc work=""
if [ $# -gt 0 ]; then
  case $1 in run | up | down) cmd=$1; shift ;; esac
fi
while [ $# -gt 0 ]; do
  case $1 in
    --keep) keep=true; shift ;;
    --no-build) build=false; shift ;;
    --dist) dist=$(cd "${2:?--dist needs a directory}" && pwd); build=false; shift 2 ;;
    --prefix) prefix=${2:?--prefix needs a name}; shift 2 ;;
    --work) work=${2:?--work needs a directory}; shift 2 ;;
    -h | --help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo-cluster: unknown argument '$1' (see --help)" >&2; exit 1 ;;
  esac
done

fail() {
  echo "demo-cluster: $*" >&2
  exit 1
}
step() {
  printf '\n-- %s\n' "$*"
}

[ "$(id -u)" = 0 ] || fail "needs root (network namespaces, iptables, users, services)"
command -v ip >/dev/null 2>&1 || fail "iproute2 (ip) is missing: apt-get install iproute2"
[[ $prefix =~ ^[a-z][a-z0-9-]{0,10}$ ]] || fail "--prefix '$prefix': lower-case letters, digits and '-', at most 11 characters"

subnet=10.211.0
hosts=(cp web backend)
declare -A addr=([cp]=$subnet.10 [web]=$subnet.11 [backend]=$subnet.12)

# host_env HOST: the variables every provisioning script on HOST gets.
host_env() {
  echo MESHLITE_INIT=direct MESHLITE_HOST_ROOT="$work/hosts/$1" KUMA_HOME="$work/opt/kuma" \
    MESHLITE_DIST="$dist" MESHLITE_SHARED="$work/shared"
}
# in_host HOST COMMAND...: runs COMMAND inside HOST's namespace with HOST's provisioning variables.
in_host() {
  local host=$1
  shift
  # shellcheck disable=SC2046  # host_env prints NAME=VALUE words without spaces
  ip netns exec "$prefix-$host" env $(host_env "$host") "$@"
}

# down: stops the services of every host (service.sh stop-all), then anything still running in the
# namespaces (ip netns pids: only processes this cluster started live there), deletes the namespaces.
down() {
  local host ns pid
  # shellcheck source=/dev/null
  [ -f "$work/cluster.env" ] && . "$work/cluster.env"
  # the hosts stop in parallel: each kuma-dp drains its listeners for up to 30 s, as under systemd
  for host in "${hosts[@]}"; do
    ip netns list | grep -qw "^$prefix-$host" || continue
    in_host "$host" bash "$ROOT/scripts/provision/service.sh" stop-all >/dev/null 2>&1 &
  done
  wait
  for host in "${hosts[@]}"; do
    ns=$prefix-$host
    ip netns list | grep -qw "^$ns" || continue
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
    sleep 0.5
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "/etc/netns/$ns"
  done
  ip netns del "$prefix-net" 2>/dev/null || true
}

if [ "$cmd" = down ]; then
  [ -n "$work" ] || fail "down needs --work DIR (printed by up)"
  [ -f "$work/cluster.env" ] || fail "$work/cluster.env is missing: not a demo-cluster work dir"
  down
  rm -rf "$work"
  echo "demo cluster in $work removed"
  exit 0
fi

# ---------------------------------------------------------------- up
if $build; then
  bash "$ROOT/scripts/build.sh"
fi
for b in kuma-cp kuma-dp kumactl kuma-init kuma-tcp-echo envoy; do
  [ -x "$dist/bin/$b" ] || fail "$dist/bin/$b is missing: run scripts/build.sh (or drop --no-build)"
done
for host in "${hosts[@]}" net; do
  if ip netns list | grep -qw "^$prefix-$host"; then
    fail "namespace $prefix-$host exists already (another demo cluster?): 'scripts/demo-cluster.sh down --work DIR' or ip netns del $prefix-$host"
  fi
done

if [ -z "$work" ]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/meshlite-cluster.XXXXXX")
fi
mkdir -p "$work"
work=$(cd "$work" && pwd)
# The services run as kuma, kuma-dp, postgres and nobody: they must reach their files under the work dir.
chmod 0755 "$work"
echo "prefix=$prefix" >"$work/cluster.env"
echo "work dir: $work"

up_done=false
shown=false
on_exit() {
  local status=$?
  trap - EXIT INT TERM
  # --keep ends with Ctrl-C: after a successful demo that is the normal way out
  if $shown && [ "$status" -eq 130 ]; then status=0; fi
  if [ "$cmd" = run ] || ! $up_done; then
    if [ "$status" -ne 0 ]; then
      echo "demo-cluster: failed; logs in $work/hosts/*/var/log/meshlite/ and $work/provision-*.log" >&2
      for log in "$work"/hosts/*/var/log/meshlite/*.log; do
        [ -f "$log" ] || continue
        echo "---- last lines of $log" >&2
        tail -n 8 "$log" >&2
      done
    fi
    echo "stopping the demo cluster"
    down
    if [ "$status" -eq 0 ]; then rm -rf "$work"; fi
  fi
  exit "$status"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

step "network: namespaces $prefix-{cp,web,backend} on a bridge in $prefix-net ($subnet.0/24)"
ip netns add "$prefix-net"
ip -n "$prefix-net" link set lo up
ip -n "$prefix-net" link add br0 type bridge
ip -n "$prefix-net" addr add "$subnet.1/24" dev br0
ip -n "$prefix-net" link set br0 up
for host in "${hosts[@]}"; do
  ns=$prefix-$host
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  # the veth pair is created inside the bridge's namespace: nothing appears in this machine's namespace
  ip -n "$prefix-net" link add "$host" type veth peer name eth0 netns "$ns"
  ip -n "$prefix-net" link set "$host" master br0 up
  ip -n "$ns" addr add "${addr[$host]}/24" dev eth0
  ip -n "$ns" link set eth0 up
  # a default route, as a VM has: the mesh's virtual IPs (240.0.0.0/4) need a route before iptables
  # redirects them to Envoy
  ip -n "$ns" route add default via "$subnet.1"
  # `ip netns exec` mounts /etc/netns/<ns>/resolv.conf as the namespace's /etc/resolv.conf; kuma-init's
  # DNS redirection catches queries to this nameserver and hands them to kuma-dp's DNS proxy.
  mkdir -p "/etc/netns/$ns"
  echo "nameserver $subnet.1" >"/etc/netns/$ns/resolv.conf"
  mkdir -p "$work/hosts/$host"
  echo "  $ns: ${addr[$host]}"
done

provision() {
  local host=$1
  shift
  step "$host: $*"
  in_host "$host" bash "$@" 2>&1 | tee -a "$work/provision-$host.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || fail "provisioning $host failed: $* (log: $work/provision-$host.log)"
}
P=$ROOT/scripts/provision
for host in "${hosts[@]}"; do
  provision "$host" "$P/common.sh"
done
provision cp "$P/control-plane.sh" --address "${addr[cp]}" --dataplanes "web backend"
provision backend "$P/service-host.sh" --cp-address "${addr[cp]}" --address "${addr[backend]}" --name backend
provision web "$P/service-host.sh" --cp-address "${addr[cp]}" --address "${addr[web]}" --name web
up_done=true

if [ "$cmd" = up ]; then
  cat <<EOF

demo cluster is up (work dir $work). Try:
  ip netns exec $prefix-web curl -sS --http0.9 http://backend.mesh/
  ip netns exec $prefix-cp $work/opt/kuma/bin/kumactl --no-config get dataplanes
Restart kuma-cp:  ip netns exec $prefix-cp env $(host_env cp) $P/service.sh restart kuma-cp
Stop it all:      $0 down --work $work
EOF
  exit 0
fi

# ---------------------------------------------------------------- show it
kumactl() {
  in_host cp "$work/opt/kuma/bin/kumactl" --no-config "$@"
}
# call FROM SERVICE: curl http://SERVICE.mesh/ from host FROM (the echo service sends the request back)
call() {
  ip netns exec "$prefix-$1" curl -sS --http0.9 --max-time 5 "http://$2.mesh/"
}
reaches() {
  [[ $(call "$1" "$2" 2>/dev/null) == *"Host: $2.mesh"* ]]
}
refused() {
  ! reaches "$1" "$2"
}
# envoy_stat HOST NAME: one counter of HOST's Envoy (0 when absent)
envoy_stat() {
  local v
  v=$(ip netns exec "$prefix-$1" curl -fsS --max-time 5 --get --data-urlencode "filter=^${2//./\\.}\$" \
    http://127.0.0.1:9901/stats | sed -n 's/^[^:]*: *\([0-9][0-9]*\)$/\1/p' | head -n 1)
  echo "${v:-0}"
}
wait_for() {
  local what=$1 timeout=$2 deadline=$((SECONDS + $2))
  shift 2
  until "$@"; do
    [ $SECONDS -lt $deadline ] || fail "$what: not done after ${timeout}s"
    sleep 0.5
  done
}

step "kumactl get dataplanes (on $prefix-cp)"
kumactl get dataplanes

step "from web: curl http://backend.mesh/ (resolved by web's kuma-dp, sent over mTLS to backend's Envoy)"
wait_for "web -> backend.mesh" 60 reaches web backend
call web backend | sed 's/\r$//; s/^/    /'
echo "    TLS handshakes on backend's inbound listener: $(envoy_stat backend "listener.${addr[backend]}_8080.ssl.handshake")"
echo "    TLS handshakes of web's cluster backend:      $(envoy_stat web cluster.backend.ssl.handshake)"
wait_for "backend -> web.mesh" 60 reaches backend web
echo "from backend: curl http://web.mesh/ works too"

step "MeshTrafficPermission deny-backend-to-web: backend may no longer call web; web -> backend stays allowed"
printf '%s\n' 'type: MeshTrafficPermission' 'mesh: default' 'name: deny-backend-to-web' 'spec:' \
  '  targetRef: {kind: MeshService, name: web}' '  from:' \
  '  - targetRef: {kind: MeshService, name: backend}' '    default: {action: Deny}' >"$work/deny-backend-to-web.yaml"
kumactl apply -f "$work/deny-backend-to-web.yaml"
wait_for "backend -> web denied" 60 refused backend web
reaches web backend || fail "web -> backend stopped working after denying backend -> web"
echo "    backend -> web: refused (RBAC denials on web's inbound: $(envoy_stat web "inbound_${addr[web]//./_}_8080.rbac.denied"))"
echo "    web -> backend: still answered"
kumactl delete meshtrafficpermission deny-backend-to-web --mesh default >/dev/null
wait_for "backend -> web allowed again" 60 reaches backend web
echo "    deny-backend-to-web deleted: backend -> web answered again"

echo
echo "demo cluster OK"
shown=true
if $keep; then
  echo "the cluster keeps running (work dir $work); Ctrl-C stops it. Meanwhile, e.g.:"
  echo "  ip netns exec $prefix-web curl -sS --http0.9 http://backend.mesh/"
  while :; do sleep 1; done
fi
