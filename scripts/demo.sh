#!/usr/bin/env bash
# The demo: builds everything (scripts/build.sh), then runs a small mesh on this machine, on loopback only:
#   kuma-cp (SQLite store in the work dir; TLS on the dataplane server, dataplane tokens required — Kuma's defaults) ·
#   two kuma-tcp-echo apps · Dataplanes "backend" and "web" applied with kumactl · a dataplane token for
#   each (kumactl generate dataplane-token) · two kuma-dp, each running its own Envoy, trusting kuma-cp's CA
# and sends requests from web's outbound (127.0.0.1:20001) to the backend service through both Envoys. The
# client Envoy's counters for the cluster "backend" show that the traffic went through the mesh. Then mTLS and
# traffic permissions; at the end kuma-cp is restarted on its SQLite file and `kumactl inspect dataplanes`
# shows both proxies Online again (they reconnect by themselves), with the mesh still serving traffic.
#
#   usage: scripts/demo.sh [--keep] [--no-build]
#     --keep      leave the mesh running until Ctrl-C (then stop it)
#     --no-build  use the dist/ that is already there
#
# Each process logs to a file in a temporary work dir; the dir is removed after a successful run without
# --keep, and kept (its path printed) otherwise.
set -euo pipefail
set +m
# shellcheck source=scripts/java-env.sh
. "$(dirname "${BASH_SOURCE[0]}")/java-env.sh"
cd "$MESHLITE_ROOT"
dist=$MESHLITE_ROOT/dist
bin=$dist/bin

keep=false
build=true
for arg in "$@"; do
  case $arg in
    --keep) keep=true ;;
    --no-build) build=false ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) meshlite_fail "demo: unknown argument '$arg' (expected --keep and/or --no-build)" ;;
  esac
done

# Ports (Kuma's defaults for the control plane; the two proxies need distinct admin/readiness ports).
cp_api=5681 cp_api_https=5682 cp_dp_server=5678 cp_diagnostics=5680
backend_app=9001 web_app=9002
backend_inbound=10001 web_inbound=10002 web_outbound=20001
backend_admin=9901 backend_readiness=9902 web_admin=9903 web_readiness=9904

command -v curl >/dev/null 2>&1 || meshlite_apt_install curl ||
  meshlite_fail "demo: curl is needed to talk to the control plane and Envoy: apt-get install curl"

if $build; then
  bash scripts/build.sh
else
  for b in kuma-cp kuma-dp kumactl kuma-tcp-echo envoy; do
    [ -x "$bin/$b" ] || meshlite_fail "demo: $bin/$b is missing: run scripts/build.sh (or drop --no-build)"
  done
fi

meshlite_section "Demo mesh"
busy=()
for port in $cp_api $cp_api_https $cp_dp_server $cp_diagnostics $backend_app $web_app $backend_inbound $web_inbound \
  $web_outbound $backend_admin $backend_readiness $web_admin $web_readiness; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then busy+=("$port"); fi
done
[ ${#busy[@]} -eq 0 ] ||
  meshlite_fail "demo: port(s) ${busy[*]} on 127.0.0.1 are already in use (another kuma-cp, Envoy or demo?): stop whatever listens there and run again"

work=$(mktemp -d "${TMPDIR:-/tmp}/meshlite-demo.XXXXXX")
echo "work dir: $work"

names=()
pids=()
logs=()

# start NAME COMMAND...: runs COMMAND in its own process group, output to $work/NAME.log.
start() {
  local name=$1
  shift
  if command -v setsid >/dev/null 2>&1; then
    setsid "$@" >"$work/$name.log" 2>&1 </dev/null &
  else
    "$@" >"$work/$name.log" 2>&1 </dev/null &
  fi
  names+=("$name")
  pids+=("$!")
  logs+=("$work/$name.log")
}

# stop_all: TERM to every process group we started (newest first), KILL after 10 s.
stop_all() {
  local i pid deadline
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  deadline=$((SECONDS + 10))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  [ ${#pids[@]} -eq 0 ] || { echo "stopping the demo processes"; stop_all; }
  if [ "$status" -eq 0 ] && ! $keep; then
    rm -rf "$work"
  else
    echo "logs kept in $work:"
    for log in "${logs[@]}"; do echo "  $log"; done
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# fail STEP MESSAGE [LOG]: one line naming the step (and its log), then the log's last lines.
fail() {
  echo "demo: step '$1' failed: $2${3:+ (log: $3)}" >&2
  if [ -n "${3:-}" ] && [ -s "$3" ]; then
    echo "---- last lines of $3" >&2
    tail -n 15 "$3" >&2
    echo "----" >&2
  fi
  exit 1
}

step() {
  printf '\n-- %s\n' "$*"
}

# wait_until STEP SECONDS NAME COMMAND...: retries COMMAND until it succeeds, while process NAME is alive.
wait_until() {
  local what=$1 timeout=$2 name=$3 i pid="" log=""
  shift 3
  for i in "${!names[@]}"; do
    if [ "${names[i]}" = "$name" ]; then pid=${pids[i]} log=${logs[i]}; fi
  done
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || fail "$what" "$name exited" "$log"
    [ $SECONDS -lt $deadline ] || fail "$what" "not done after ${timeout}s" "$log"
    sleep 0.5
  done
}

http_ok() {
  curl -fsS --max-time 2 "$1"
}

step "starting kuma-cp (SQLite store $work/kuma.db; REST :$cp_api, HTTPS :$cp_api_https, dp-server :$cp_dp_server (TLS), diagnostics :$cp_diagnostics)"
# Kuma's defaults: the dataplane server speaks TLS with a CA kuma-cp generates on first start (written to
# <general.workDir>/kuma-cp.crt) and every proxy needs a dataplane token. The store is SQLite (ours; Kuma's
# default is memory), so a restarted kuma-cp keeps the mesh.
start_cp() {
  KUMA_GENERAL_WORK_DIR=$work/kuma-cp KUMA_STORE_TYPE=sqlite KUMA_STORE_SQLITE_PATH=$work/kuma.db \
    start "$1" "$bin/kuma-cp" run
}
start_cp kuma-cp
wait_until "kuma-cp ready" 120 kuma-cp http_ok "http://127.0.0.1:$cp_diagnostics/ready"
ca=$work/kuma-cp/kuma-cp.crt
[ -s "$ca" ] || fail "kuma-cp CA" "kuma-cp did not write its CA to $ca" "$work/kuma-cp.log"
echo "kuma-cp is ready; its CA is $ca"

step "starting the apps: kuma-tcp-echo on :$backend_app (backend) and :$web_app (web)"
start backend-app "$bin/kuma-tcp-echo" --port "$backend_app"
start web-app "$bin/kuma-tcp-echo" --port "$web_app"
wait_until "backend app listening" 60 backend-app bash -c "exec 3<>/dev/tcp/127.0.0.1/$backend_app"
wait_until "web app listening" 60 web-app bash -c "exec 3<>/dev/tcp/127.0.0.1/$web_app"
echo "both apps listen"

step "applying the Dataplanes with kumactl"
cat >"$work/backend.yaml" <<EOF
type: Dataplane
mesh: default
name: backend
networking:
  address: 127.0.0.1
  inbound:
  - port: $backend_inbound
    servicePort: $backend_app
    tags:
      kuma.io/service: backend
      kuma.io/protocol: tcp
EOF
cat >"$work/web.yaml" <<EOF
type: Dataplane
mesh: default
name: web
networking:
  address: 127.0.0.1
  inbound:
  - port: $web_inbound
    servicePort: $web_app
    tags:
      kuma.io/service: web
      kuma.io/protocol: tcp
  outbound:
  - address: 127.0.0.1
    port: $web_outbound
    tags:
      kuma.io/service: backend
EOF
for dp in backend web; do
  "$bin/kumactl" apply -f "$work/$dp.yaml" >"$work/kumactl-apply-$dp.log" 2>&1 ||
    fail "kumactl apply -f $dp.yaml" "kumactl exited with an error" "$work/kumactl-apply-$dp.log"
  echo "applied $work/$dp.yaml"
done

step "generating a dataplane token for each proxy: kumactl generate dataplane-token --mesh default --name <dp>"
for dp in backend web; do
  "$bin/kumactl" generate dataplane-token --mesh default --name "$dp" --valid-for 24h >"$work/$dp.token" \
    2>"$work/kumactl-token-$dp.log" ||
    fail "kumactl generate dataplane-token --name $dp" "kumactl exited with an error" "$work/kumactl-token-$dp.log"
  chmod 600 "$work/$dp.token"
  echo "$work/$dp.token"
done

step "starting kuma-dp for backend (Envoy admin :$backend_admin) and web (Envoy admin :$web_admin), over TLS with tokens"
# DNS proxy off: both proxies would want port 15053, and the demo uses no transparent proxy.
for dp in backend web; do
  admin_var=${dp}_admin readiness_var=${dp}_readiness
  KUMA_DNS_ENABLED=false start "$dp-dp" "$bin/kuma-dp" run \
    --cp-address "https://127.0.0.1:$cp_dp_server" --ca-cert-file "$ca" \
    --dataplane-token-file "$work/$dp.token" --name "$dp" --mesh default \
    --admin-port "${!admin_var}" --readiness-port "${!readiness_var}" \
    --binary-path "$bin/envoy" --work-dir "$work/$dp-dp"
done
for dp in backend web; do
  admin_var=${dp}_admin readiness_var=${dp}_readiness
  wait_until "kuma-dp $dp ready" 90 "$dp-dp" http_ok "http://127.0.0.1:${!readiness_var}/ready"
  wait_until "Envoy of $dp ready" 90 "$dp-dp" http_ok "http://127.0.0.1:${!admin_var}/ready"
  echo "$dp: kuma-dp and Envoy are ready"
done

step "sending requests web -> backend through the mesh: curl http://127.0.0.1:$web_outbound/hello"
request() {
  curl -sS --http0.9 --max-time 5 "http://127.0.0.1:$web_outbound/hello"
}
request_reaches_backend() {
  [[ $(request) == *"GET /hello"* ]]
}
wait_until "first request through the mesh" 60 web-dp request_reaches_backend
for i in 1 2 3; do
  reply=$(request) || fail "request $i through the mesh" "curl failed" "$work/web-dp.log"
  case $reply in *"GET /hello"*) ;; *) fail "request $i through the mesh" "unexpected reply: $reply" "$work/web-dp.log" ;; esac
done
echo "the backend echoed (sent to web's outbound $web_outbound, answered by the app on $backend_app):"
printf '%s\n' "$reply" | sed 's/\r$//; s/^/    /'

step "kumactl get dataplanes"
"$bin/kumactl" get dataplanes >"$work/kumactl-get.log" 2>&1 ||
  fail "kumactl get dataplanes" "kumactl exited with an error" "$work/kumactl-get.log"
cat "$work/kumactl-get.log"

step "web's Envoy: connections to the cluster 'backend' (admin :$web_admin /stats)"
stats=$(curl -fsS --max-time 5 --get --data-urlencode 'filter=^cluster\.backend\.upstream_cx_total$' \
  "http://127.0.0.1:$web_admin/stats") || fail "Envoy stats" "cannot read http://127.0.0.1:$web_admin/stats" "$work/web-dp.log"
echo "    $stats"
count=$(printf '%s\n' "$stats" | sed -n 's/^cluster\.backend\.upstream_cx_total: *\([0-9]*\)$/\1/p')
[ "${count:-0}" -gt 0 ] || fail "Envoy stats" "web's Envoy counted no connection to cluster backend" "$work/web-dp.log"

step "the control plane authenticated both proxies (kuma-cp log)"
grep -E "dataplane authenticated dp=(backend|web) " "$work/kuma-cp.log" | sed 's/^/    /' ||
  fail "token authentication" "kuma-cp did not log the authenticated proxies" "$work/kuma-cp.log"

# ---------------------------------------------------------------- mTLS and traffic permissions (P4)
# Turns mTLS on (builtin CA), shows an allowed call over mutual TLS, then a denied one. Kept as one
# block so that other parts of the demo can change independently.

# envoy_stat ADMIN_PORT NAME: the value of one Envoy counter (0 when Envoy does not report it).
envoy_stat() {
  local value
  value=$(curl -fsS --max-time 5 --get --data-urlencode "filter=^${2//./\\.}\$" "http://127.0.0.1:$1/stats" |
    sed -n 's/^[^:]*: *\([0-9][0-9]*\)$/\1/p' | head -n 1)
  echo "${value:-0}"
}
allowed_over_mtls() {
  request_reaches_backend &&
    [ "$(envoy_stat "$backend_admin" "listener.127.0.0.1_$backend_inbound.ssl.handshake")" -gt 0 ]
}
refused() {
  ! request_reaches_backend
}
kumactl_apply() {
  local log=$work/kumactl-apply-$(basename "$1" .yaml).log
  "$bin/kumactl" apply -f "$1" >"$log" 2>&1 || fail "kumactl apply -f $(basename "$1")" "kumactl exited with an error" "$log"
  echo "applied $1"
}
# wait_for STEP SECONDS FUNCTION: like wait_until, for a function of this script (watching web's kuma-dp).
wait_for() {
  local deadline=$((SECONDS + $2))
  until "$3" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "$1" "not done after $2s" "$work/web-dp.log"
    sleep 0.5
  done
}

step "turning mTLS on for mesh 'default' (builtin CA); a mesh-wide MeshTrafficPermission allows calls from web"
printf '%s\n' \
  'type: MeshTrafficPermission' 'mesh: default' 'name: allow-web' 'spec:' \
  '  targetRef: {kind: Mesh}' '  from:' \
  '  - targetRef: {kind: MeshService, name: web}' '    default: {action: Allow}' >"$work/allow-web.yaml"
printf '%s\n' \
  'type: Mesh' 'name: default' 'mtls:' '  enabledBackend: ca-1' '  backends:' \
  '  - name: ca-1' '    type: builtin' >"$work/mesh-mtls.yaml"
kumactl_apply "$work/allow-web.yaml"
kumactl_apply "$work/mesh-mtls.yaml"
wait_for "allowed request over mTLS" 60 allowed_over_mtls
echo "allowed: web -> backend answered over mutual TLS"
echo "    TLS handshakes on backend's inbound listener: $(envoy_stat "$backend_admin" "listener.127.0.0.1_$backend_inbound.ssl.handshake")"
echo "    TLS handshakes of web's cluster 'backend':    $(envoy_stat "$web_admin" "cluster.backend.ssl.handshake")"
echo "    URI SANs of the mesh CA and of the certificate backend's Envoy holds (its admin /certs):"
curl -fsS --max-time 5 "http://127.0.0.1:$backend_admin/certs" | grep -o '"uri": *"[^"]*"' | sort -u | sed 's/^/      /' || true

step "denying web -> backend with a MeshTrafficPermission on backend (more specific than the mesh-wide Allow)"
printf '%s\n' \
  'type: MeshTrafficPermission' 'mesh: default' 'name: deny-web' 'spec:' \
  '  targetRef: {kind: MeshService, name: backend}' '  from:' \
  '  - targetRef: {kind: MeshService, name: web}' '    default: {action: Deny}' >"$work/deny-web.yaml"
kumactl_apply "$work/deny-web.yaml"
wait_for "denied request" 60 refused
denied=$(envoy_stat "$backend_admin" "inbound_127_0_0_1_$backend_inbound.rbac.denied")
[ "$denied" -gt 0 ] || fail "denied request" "backend's Envoy counted no RBAC denial" "$work/backend-dp.log"
echo "denied: backend's Envoy closed the connection (RBAC denials on its inbound: $denied)"

"$bin/kumactl" delete meshtrafficpermission deny-web --mesh default >"$work/kumactl-delete.log" 2>&1 ||
  fail "kumactl delete meshtrafficpermission deny-web" "kumactl exited with an error" "$work/kumactl-delete.log"
wait_for "allowed again" 60 allowed_over_mtls
echo "deny-web deleted: web -> backend is allowed again"
# ---------------------------------------------------------------- end of the mTLS block

# ---------------------------------------------------------------- dataplane status and a kuma-cp restart
# kumactl inspect dataplanes reads /meshes/default/dataplanes+insights: a proxy is Online while its ADS
# stream to kuma-cp is open. kuma-cp is then restarted on the same SQLite file.

# both_online: kumactl inspect dataplanes shows backend and web Online.
both_online() {
  local out
  out=$("$bin/kumactl" inspect dataplanes 2>/dev/null) || return 1
  printf '%s\n' "$out" | grep -Eq '^default +backend .* Online ' && printf '%s\n' "$out" | grep -Eq '^default +web .* Online '
}
# inspect_summary: MESH, NAME, STATUS and LAST CONNECTED AGO of kumactl inspect dataplanes.
inspect_summary() {
  "$bin/kumactl" inspect dataplanes >"$work/kumactl-inspect.log" 2>&1 ||
    fail "kumactl inspect dataplanes" "kumactl exited with an error" "$work/kumactl-inspect.log"
  awk 'NR == 1 { printf "    %-8s %-8s %-8s %s\n", "MESH", "NAME", "STATUS", "LAST CONNECTED AGO"; next }
       { for (i = 1; i <= NF; i++) if ($i == "Online" || $i == "Offline") { printf "    %-8s %-8s %-8s %s\n", $1, $2, $i, $(i + 1); break } }' \
    "$work/kumactl-inspect.log"
}

step "kumactl inspect dataplanes: both proxies are Online (STATUS comes from their DataplaneInsight)"
wait_for "both proxies Online" 30 both_online
inspect_summary

step "restarting kuma-cp (SIGTERM, then start it again on $work/kuma.db)"
for i in "${!names[@]}"; do
  if [ "${names[i]}" = kuma-cp ]; then cp_pid=${pids[i]}; fi
done
kill -TERM -- "-$cp_pid" 2>/dev/null || kill -TERM "$cp_pid"
deadline=$((SECONDS + 30))
while kill -0 "$cp_pid" 2>/dev/null; do
  [ $SECONDS -lt $deadline ] || fail "stopping kuma-cp" "still running after 30s" "$work/kuma-cp.log"
  sleep 0.2
done
echo "kuma-cp stopped; the proxies keep their last configuration and retry the control plane"
start_cp kuma-cp-restarted
wait_until "restarted kuma-cp ready" 120 kuma-cp-restarted http_ok "http://127.0.0.1:$cp_diagnostics/ready"
"$bin/kumactl" get dataplanes >"$work/kumactl-get-after-restart.log" 2>&1 ||
  fail "kumactl get dataplanes after the restart" "kumactl exited with an error" "$work/kumactl-get-after-restart.log"
echo "kuma-cp is back; the Dataplanes are still stored:"
sed 's/^/    /' "$work/kumactl-get-after-restart.log"
wait_for "both proxies Online after the restart" 90 both_online
echo "both proxies reconnected; kumactl inspect dataplanes:"
inspect_summary
"$bin/kumactl" inspect meshes >"$work/kumactl-inspect-meshes.log" 2>&1 ||
  fail "kumactl inspect meshes" "kumactl exited with an error" "$work/kumactl-inspect-meshes.log"
echo "kumactl inspect meshes (online/total dataplanes, from the computed MeshInsight):"
awk '{ printf "    %-8s %s\n", $1, $2 }' "$work/kumactl-inspect-meshes.log"
wait_for "allowed request after the restart" 60 allowed_over_mtls
echo "web -> backend still answers over mutual TLS after the restart"
# ---------------------------------------------------------------- end of the status block

echo
echo "demo OK: $count connection(s) from web to backend went through Envoy (TLS to the control plane, dataplane tokens on)"
if $keep; then
  echo "the mesh keeps running (kuma-cp REST API: http://127.0.0.1:$cp_api); Ctrl-C stops it"
  while :; do
    for i in "${!pids[@]}"; do
      kill -0 "${pids[i]}" 2>/dev/null || fail "running the mesh" "${names[i]} exited" "${logs[i]}"
    done
    sleep 2
  done
fi
