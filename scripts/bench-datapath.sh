#!/usr/bin/env bash
# Data-path overhead benchmark (P9 item 4; a benchmark, not a test; loopback only): the latency a pair of
# sidecars adds to an HTTP call, measured with h2load (Debian's nghttp2-client) at a fixed rate, next to a
# direct call to the same application in the same run.
#
#   direct     h2load -> app
#   mesh mTLS  h2load -> client Envoy (web-1's outbound) -> mutual TLS -> server Envoy (backend-1's inbound) -> app
#   mesh plain the same with the Mesh's mTLS turned off (measured last, after the mTLS phase)
#
# It starts dist/bin/kuma-cp (memory store; proxies need no dataplane token, the dp-server's TLS is kept), puts a Mesh with the builtin CA and an allow-all
# MeshTrafficPermission through its REST API, and runs two dist/bin/kuma-dp (each with the real Envoy) whose
# inline Dataplanes are tagged kuma.io/protocol: http, so both Envoys run their HTTP connection managers.
# The app is a JDK HttpServer that reads the 1 KiB request body and answers 1 KiB.
# Each case is a POST of 1 KiB at RATE requests/s over CONNECTIONS HTTP/1.1 keep-alive connections
# (h2load --h1 -c CONNECTIONS --rps RATE/CONNECTIONS); p50/p99/p99.9/max are computed from h2load's
# per-request log (--log-file, the measured period only), and both Envoys' CPU time per request from /proc. Direct and mesh-mTLS alternate ROUNDS times, so a change of load on the shared
# machine hits both alike; the plaintext rounds follow.
#
# Pinning (taskset): kuma-cp, both kuma-dp and their Envoys on MESH_CPU (Envoy's --concurrency follows the
# cpuset: one worker each); h2load and the app on CLIENT_CPU. The direct case thus runs on CLIENT_CPU alone,
# the mesh cases add the Envoys' work on MESH_CPU.
#
#   usage: scripts/bench-datapath.sh      (as root if h2load must be installed)
#   knobs (env): RATE=1000 CONNECTIONS=10 DURATION=10 WARMUP=3 ROUNDS=3 PLAIN_ROUNDS=1 BODY=1024
#                MESH_CPU=0 CLIENT_CPU=1 KEEP=1 (keep the work directory: logs, h2load output)
#   needs: dist/ (scripts/build.sh), curl, taskset.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dist=$root/dist
RATE=${RATE:-1000}
CONNECTIONS=${CONNECTIONS:-10}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
ROUNDS=${ROUNDS:-3}
PLAIN_ROUNDS=${PLAIN_ROUNDS:-1}
BODY=${BODY:-1024}
MESH_CPU=${MESH_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}

die() { echo "bench-datapath: $*" >&2; exit 1; }
for b in kuma-cp kuma-dp envoy; do [ -x "$dist/bin/$b" ] || die "dist/bin/$b is missing: run scripts/build.sh first"; done
command -v curl >/dev/null || die "curl is needed"
command -v taskset >/dev/null || die "taskset (util-linux) is needed"
if ! command -v h2load >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || die "h2load is missing; run as root to install nghttp2-client with apt-get, or install it yourself"
  echo "installing nghttp2-client (h2load) with apt-get" >&2
  apt-get install -y nghttp2-client >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y nghttp2-client >/dev/null; }
fi
java_home=$(. "$root/scripts/lib/jdk.sh" && meshlite_find_jdk java)
[ $((RATE % CONNECTIONS)) = 0 ] || die "RATE must be a multiple of CONNECTIONS (h2load's --rps is per connection)"

tmp=$(mktemp -d /tmp/bench-datapath.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
}
await() { # await <what> <seconds> <command...>
  local what=$1 secs=$2; shift 2
  for _ in $(seq 1 $((secs * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  die "$what did not happen within ${secs}s"
}
stat_of() { # stat_of <admin port> <exact stat name> -> value (0 when absent)
  curl -fsS "http://127.0.0.1:$1/stats?filter=^$2\$" 2>/dev/null | awk -F': ' 'NR==1 {v=$2} END {print v+0}'
}

# --- the app: reads the body, answers BODY bytes ----------------------------------------------------------------
cat >"$tmp/BenchApp.java" <<'EOF'
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.Executors;
public class BenchApp {
  public static void main(String[] a) throws Exception {
    byte[] body = new byte[Integer.parseInt(a[1])];
    Arrays.fill(body, (byte) 'x');
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(a[0])), 128);
    s.createContext("/", ex -> {
      ex.getRequestBody().readAllBytes();
      ex.getResponseHeaders().set("content-type", "application/octet-stream");
      ex.sendResponseHeaders(200, body.length);
      try (var out = ex.getResponseBody()) { out.write(body); }
    });
    s.setExecutor(Executors.newFixedThreadPool(4));
    s.start();
    System.out.println("ready");
  }
}
EOF
head -c "$BODY" /dev/zero | tr '\0' 'y' >"$tmp/body.bin"

app=$(free_port)
taskset -c "$CLIENT_CPU" "$java_home/bin/java" -XX:+UseSerialGC -Xmx64m "$tmp/BenchApp.java" "$app" "$BODY" >"$tmp/app.log" 2>&1 &
pids+=($!)
await "the app starting" 60 grep -q ready "$tmp/app.log"

# --- kuma-cp, the Mesh and the policy --------------------------------------------------------------------------
api=$(free_port); dps=$(free_port); diag=$(free_port)
KUMA_API_SERVER_HTTP_PORT=$api KUMA_API_SERVER_HTTP_INTERFACE=127.0.0.1 KUMA_DP_SERVER_PORT=$dps \
  KUMA_DIAGNOSTICS_SERVER_PORT=$diag KUMA_GENERAL_WORK_DIR=$tmp/cp KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE=none \
  taskset -c "$MESH_CPU" "$dist/bin/kuma-cp" run >"$tmp/kuma-cp.log" 2>&1 &
pids+=($!)
await "kuma-cp ready" 180 curl -fsS "http://127.0.0.1:$diag/ready"
put() { curl -fsS -X PUT -H 'content-type: application/json' "http://127.0.0.1:$api/$1" -d "$2" >/dev/null || die "PUT /$1 failed"; }
mesh_mtls() { # mesh_mtls on|off
  local enabled='"enabledBackend": "ca-1", '
  [ "$1" = on ] || enabled=""
  put meshes/default "{\"type\": \"Mesh\", \"name\": \"default\", \"mtls\": {${enabled}\"backends\": [{\"name\": \"ca-1\", \"type\": \"builtin\"}]}}"
}
mesh_mtls on
put meshes/default/meshtrafficpermissions/allow-all '{"type": "MeshTrafficPermission", "mesh": "default", "name": "allow-all",
  "spec": {"targetRef": {"kind": "Mesh"}, "from": [{"targetRef": {"kind": "Mesh"}, "default": {"action": "Allow"}}]}}'

# --- the two sidecars ------------------------------------------------------------------------------------------
backend_in=$(free_port); web_in=$(free_port); web_out=$(free_port)
backend_admin=$(free_port); web_admin=$(free_port)
dp() { # dp <name> <admin port> <dataplane json>
  local ready
  ready=$(free_port)
  taskset -c "$MESH_CPU" "$dist/bin/kuma-dp" run --cp-address "https://127.0.0.1:$dps" --ca-cert-file "$tmp/cp/kuma-cp.crt" --dataplane "$3" \
    --admin-port "$2" --readiness-port "$ready" --dns-proxy-port "$(free_port)" --drain-time 1s \
    --work-dir "$tmp/$1" --binary-path "$dist/bin/envoy" --envoy-log-level warning >"$tmp/$1.log" 2>&1 &
  pids+=($!)
  await "$1 ready" 180 bash -c "[ \"\$(curl -s http://127.0.0.1:$ready/ready)\" = READY ]"
}
dp backend-1 "$backend_admin" "{\"type\": \"Dataplane\", \"mesh\": \"default\", \"name\": \"backend-1\", \"networking\": {\"address\": \"127.0.0.1\",
  \"inbound\": [{\"port\": $backend_in, \"servicePort\": $app, \"tags\": {\"kuma.io/service\": \"backend\", \"kuma.io/protocol\": \"http\"}}]}}"
dp web-1 "$web_admin" "{\"type\": \"Dataplane\", \"mesh\": \"default\", \"name\": \"web-1\", \"networking\": {\"address\": \"127.0.0.1\",
  \"inbound\": [{\"port\": $web_in, \"servicePort\": $app, \"tags\": {\"kuma.io/service\": \"web\", \"kuma.io/protocol\": \"http\"}}],
  \"outbound\": [{\"port\": $web_out, \"tags\": {\"kuma.io/service\": \"backend\"}}]}}"
await "a call through both Envoys" 60 curl -fsS -o /dev/null "http://127.0.0.1:$web_out/"
# The Envoy processes, by the admin port they listen on: their CPU time per request is reported for the mesh cases.
envoy_pid() { ss -ltnpH "sport = :$1" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2; }
envoys="$(envoy_pid "$web_admin") $(envoy_pid "$backend_admin")"
[ "$(wc -w <<<"$envoys")" = 2 ] || die "could not find both Envoy processes (ss -ltnp)"
envoy_ticks() { local t=0 p; for p in $envoys; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }

# --- the runs --------------------------------------------------------------------------------------------------
# run <case> <port>: one h2load run; prints "achieved_rps ok failed p50 p99 p999 max" (latencies in ms)
run_case() {
  local out=$tmp/$1.txt log=$tmp/$1.log t0 t1
  t0=$(envoy_ticks)
  taskset -c "$CLIENT_CPU" h2load --h1 -c "$CONNECTIONS" --rps $((RATE / CONNECTIONS)) -D "$DURATION" \
    --warm-up-time "$WARMUP" -d "$tmp/body.bin" --log-file "$log" "http://127.0.0.1:$2/" >"$out" 2>&1 ||
    die "h2load failed: $(tail -3 "$out")"
  t1=$(envoy_ticks)
  local rps ok failed
  rps=$(awk '/^finished in/ {gsub(",", "", $4); printf "%.0f", $4}' "$out")
  ok=$(awk '$2 == 200' "$log" | wc -l)
  failed=$(awk '/^requests:/ {print $10}' "$out")
  local cpu
  cpu=$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v n=$((RATE * (DURATION + WARMUP))) 'BEGIN {printf "%.0f", t / hz * 1e6 / n}')
  awk '$2 == 200 {print $3}' "$log" | sort -n | awk -v rps="$rps" -v ok="$ok" -v failed="$failed" -v cpu="$cpu" '{a[NR]=$1}
    END {if (NR == 0) {print rps, 0, failed, "-", "-", "-", "-", cpu; exit}
         printf "%s %s %s %.3f %.3f %.3f %.3f %s\n", rps, ok, failed, a[int(NR*0.50)]/1000, a[int(NR*0.99)]/1000, a[int(NR*0.999)]/1000, a[NR]/1000, cpu}'
}
declare -A p50s p99s
rows=()
record() { # record <label> <key> <result line>
  local rps ok failed p50 p99 p999 max cpu
  read -r rps ok failed p50 p99 p999 max cpu <<<"$3"
  [ "$2" = mtls ] || [ "$2" = plain ] || cpu="-"
  rows+=("| $1 | $rps | $ok | $failed | $p50 | $p99 | $p999 | $max | $cpu | $(cut -d' ' -f1 /proc/loadavg) |")
  p50s[$2]+="$p50 "; p99s[$2]+="$p99 "
  echo "  $1: $rps req/s, $ok ok, $failed failed, p50 $p50 ms, p99 $p99 ms, p99.9 $p999 ms, max $max ms, Envoy CPU $cpu µs/req" >&2
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "-"; exit}; printf "%.3f", (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }

hs_listener="listener.127.0.0.1_$backend_in.ssl.handshake"
hs0=$(stat_of "$backend_admin" "$hs_listener")
echo "== mTLS phase: $ROUNDS rounds of direct and mesh mTLS, ${DURATION}s each at $RATE req/s" >&2
for r in $(seq 1 "$ROUNDS"); do
  record "direct (round $r)" direct "$(run_case "direct-$r" "$app")"
  record "mesh mTLS (round $r)" mtls "$(run_case "mtls-$r" "$web_out")"
done
hs1=$(stat_of "$backend_admin" "$hs_listener")
[ "$hs1" -gt "$hs0" ] || [ "$hs1" -gt 0 ] || die "the server Envoy's inbound saw no TLS handshake: mTLS was not on"

plain_note="not measured (PLAIN_ROUNDS=0)"
if [ "$PLAIN_ROUNDS" -gt 0 ]; then
  mesh_mtls off
  # Off when a fresh connection through the pair works and the server's inbound no longer counts handshakes.
  cx_stat="listener.127.0.0.1_$backend_in.downstream_cx_total"
  plain_now() {
    local h c
    h=$(stat_of "$backend_admin" "$hs_listener"); c=$(stat_of "$backend_admin" "$cx_stat")
    curl -fsS -o /dev/null "http://127.0.0.1:$web_out/" || return 1
    [ "$(stat_of "$backend_admin" "$hs_listener")" = "$h" ] && [ "$(stat_of "$backend_admin" "$cx_stat")" -gt "$c" ]
  }
  # The client keeps pooled upstream connections; new ones are opened once its cluster changes.
  await "mTLS off on both Envoys" 60 bash -c "$(declare -f stat_of plain_now); backend_admin=$backend_admin hs_listener=$hs_listener cx_stat=$cx_stat web_out=$web_out; plain_now"
  sleep 2
  hs2=$(stat_of "$backend_admin" "$hs_listener")
  echo "== plaintext phase: $PLAIN_ROUNDS rounds of direct and mesh plaintext" >&2
  for r in $(seq 1 "$PLAIN_ROUNDS"); do
    record "direct (plaintext phase, round $r)" directp "$(run_case "direct-p$r" "$app")"
    record "mesh plaintext (round $r)" plain "$(run_case "plain-$r" "$web_out")"
  done
  hs3=$(stat_of "$backend_admin" "$hs_listener")
  [ "$hs3" = "$hs2" ] || die "the server Envoy's inbound counted TLS handshakes during the plaintext phase ($hs2 -> $hs3)"
  plain_note=""
fi

added() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.3f", a-b}'; }
plain_summary() {
  [ -n "${p50s[plain]:-}" ] || return 0
  local q50 q99 e50 e99
  q50=$(median <<<"${p50s[directp]}"); q99=$(median <<<"${p99s[directp]}")
  e50=$(median <<<"${p50s[plain]}"); e99=$(median <<<"${p99s[plain]}")
  echo "direct p50 $q50 ms, p99 $q99 ms; mesh plaintext p50 $e50 ms, p99 $e99 ms; added p50 $(added "$e50" "$q50") ms, p99 $(added "$e99" "$q99") ms"
}
d50=$(median <<<"${p50s[direct]}"); d99=$(median <<<"${p99s[direct]}")
m50=$(median <<<"${p50s[mtls]}"); m99=$(median <<<"${p99s[mtls]}")
cat <<EOF

Data-path benchmark ($(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, $(uname -r))
Envoy $("$dist/bin/envoy" --version 2>/dev/null | grep -o '[0-9]*\.[0-9]*\.[0-9]*' | head -1), h2load $(h2load --version | awk '{print $2}'), $("$java_home/bin/java" -version 2>&1 | head -1)
each case: taskset -c $CLIENT_CPU h2load --h1 -c $CONNECTIONS --rps $((RATE / CONNECTIONS)) -D $DURATION --warm-up-time $WARMUP -d <$BODY-byte body> --log-file <log> http://127.0.0.1:<port>/
app (JDK HttpServer, $BODY-byte answers) and h2load on CPU $CLIENT_CPU; kuma-cp, both kuma-dp and their Envoys on CPU $MESH_CPU

| case | req/s | 200s | failed | p50 ms | p99 ms | p99.9 ms | max ms | Envoys' CPU µs/req | load (1 min) |
|---|---|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${rows[@]}")

medians over the mTLS phase's rounds: direct p50 $d50 ms, p99 $d99 ms; mesh mTLS p50 $m50 ms, p99 $m99 ms
added by the mTLS sidecar pair: p50 $(added "$m50" "$d50") ms, p99 $(added "$m99" "$d99") ms
mesh plaintext: $plain_note$(plain_summary)
Envoys' CPU µs/req: user+system time of both Envoy processes over the h2load run (warm-up included) / requests sent
server inbound TLS handshakes: $hs0 before, $hs1 after the mTLS phase; $( [ "$PLAIN_ROUNDS" -gt 0 ] && echo "$hs2 -> $hs3 over the plaintext phase")
load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared)
EOF
