#!/usr/bin/env bash
# Benchmark of kuma-dp's own footprint and startup (P7 item 7), WITH and WITHOUT its JDK AOT cache, in one run:
#   - time from process start (the dist launcher) to the bootstrap answer received from kuma-cp,
#   - time from process start to Envoy ready (kuma-dp's /ready says READY),
#   - kuma-dp's RSS (the JVM only, Envoy excluded) when idle, and after 10,000 DNS queries to its DNS stub.
# It starts dist/bin/kuma-cp (memory store) on free loopback ports and, per run, one dist/bin/kuma-dp that
# self-registers an inline Dataplane and runs the real Envoy. Figures are medians over the runs (min-max).
#
#   usage: scripts/bench-agent.sh [runs per mode, default 5]
#   environment: BENCH_IDLE_SECONDS (5), BENCH_DNS_QUERIES (10000), BENCH_DP_JAVA_OPTS (extra kuma-dp JVM flags),
#                BENCH_BASELINE_DIST (another build's dist/, measured alternately as mode "baseline"),
#                BENCH_VARIANT_OPTS (JVM flags: this dist's kuma-dp with them added, as mode "variant"),
#                BENCH_VARIANT_ARGS (kuma-dp arguments added in mode "variant", e.g. --dns-enabled=false),
#                BENCH_SKIP_NO_AOT=1 (leave out the run without the AOT cache)
#   needs: dist/ (scripts/build.sh), curl. Everything stays on 127.0.0.1 and stops by itself.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dist=$root/dist
runs=${1:-5}
idle_seconds=${BENCH_IDLE_SECONDS:-5}
dns_queries=${BENCH_DNS_QUERIES:-10000}

if [ ! -x "$dist/bin/kuma-dp" ] || [ ! -x "$dist/bin/kuma-cp" ] || [ ! -x "$dist/bin/envoy" ]; then
  echo "bench-agent: dist/ is missing: run scripts/build.sh first" >&2
  exit 1
fi
command -v curl >/dev/null || { echo "bench-agent: curl is needed" >&2; exit 1; }

tmp=$(mktemp -d /tmp/bench-agent.XXXXXX)
cp_pid=""
dp_pid=""
cleanup() {
  if [ -n "$dp_pid" ]; then kill -KILL "$dp_pid" 2>/dev/null || true; fi
  if [ -n "$cp_pid" ]; then
    kill -TERM "$cp_pid" 2>/dev/null || true
    wait "$cp_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# A port nothing uses now, over TCP or UDP (random in 20000-59999; `ss` when present, else bash's /dev/tcp).
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    if command -v ss >/dev/null; then
      ss -Htuan 2>/dev/null | awk '{print $5}' | grep -q ":$p\$" && continue
    fi
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
}
now_ms() { date +%s%3N; }
# "2026-11-22T04:40:33.652Z INFO ..." -> epoch milliseconds of that log line
log_ms() { date -d "$(cut -d' ' -f1 <<<"$1")" +%s%3N; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
anon_kib() { awk '/^RssAnon:/ {print $2}' "/proc/$1/status"; }
threads() { awk '/^Threads:/ {print $2}' "/proc/$1/status"; }
# CPU time (user + system) the process has used, in ms (fields 14 and 15 of /proc/<pid>/stat, in clock ticks;
# the command name in field 2 has no spaces for a java process).
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$1/stat"; }
# median and range of numbers on stdin: "median (min-max)"
stats() { sort -n | awk '{a[NR]=$1} END {if (NR==0) {print "n/a"; exit}; m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%s (%s-%s)", m, a[1], a[NR]}'; }

dns_present=false
if unzip -l "$dist"/lib/kuma-dp/kuma-dp-*.jar 2>/dev/null | grep -c 'io/meshlite/agent/dns/DnsStub.class' >/dev/null; then
  dns_present=true
fi
java_home=$(. "$root/scripts/lib/jdk.sh" && meshlite_find_jdk java)

# A DNS client for the flood: one UDP socket, queries for a name the stub answers from its upstream
# or its own table; single-file Java so the benchmark needs nothing besides the JDK.
cat >"$tmp/DnsFlood.java" <<'EOF'
import java.net.*;
import java.nio.*;
public class DnsFlood {
  public static void main(String[] a) throws Exception {
    int port = Integer.parseInt(a[0]), n = Integer.parseInt(a[1]), answered = 0;
    try (DatagramSocket s = new DatagramSocket()) {
      s.setSoTimeout(500);
      byte[] in = new byte[1500];
      for (int i = 0; i < n; i++) {
        String name = (i % 2 == 0 ? "backend.mesh" : "bench-" + (i % 50) + ".localhost");
        ByteBuffer q = ByteBuffer.allocate(512).putShort((short) i).putShort((short) 0x0100).putShort((short) 1)
            .putShort((short) 0).putShort((short) 0).putShort((short) 0);
        for (String label : name.split("\\.")) { q.put((byte) label.length()).put(label.getBytes()); }
        q.put((byte) 0).putShort((short) 1).putShort((short) 1);
        s.send(new DatagramPacket(q.array(), q.position(), InetAddress.getLoopbackAddress(), port));
        try { s.receive(new DatagramPacket(in, in.length)); answered++; } catch (SocketTimeoutException e) { }
      }
    }
    System.out.println(answered);
  }
}
EOF

echo "== kuma-cp"
api=$(free_port); apis=$(free_port); dps=$(free_port); diag=$(free_port)
KUMA_API_SERVER_HTTP_PORT=$api KUMA_API_SERVER_HTTP_INTERFACE=127.0.0.1 \
  KUMA_API_SERVER_HTTPS_PORT=$apis KUMA_API_SERVER_HTTPS_INTERFACE=127.0.0.1 KUMA_DP_SERVER_PORT=$dps \
  KUMA_DIAGNOSTICS_SERVER_PORT=$diag KUMA_GENERAL_WORK_DIR=$tmp/cp KUMA_XDS_DATAPLANE_DEREGISTRATION_DELAY=1s \
  KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE=none \
  "$dist/bin/kuma-cp" run >"$tmp/kuma-cp.log" 2>&1 &
cp_pid=$!
for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$diag/ready" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$diag/ready" >/dev/null || { echo "kuma-cp did not start; see its log:" >&2; tail "$tmp/kuma-cp.log" >&2; exit 1; }
# kuma-cp's dataplane server speaks TLS only (as Kuma's): kuma-dp verifies it with the CA kuma-cp wrote.
ca=$tmp/cp/kuma-cp.crt
[ -s "$ca" ] || { echo "kuma-cp wrote no CA certificate at $ca" >&2; exit 1; }
echo "kuma-cp ready (dp-server https://127.0.0.1:$dps)"

aot_file=$dist/lib/kuma-dp/kuma-dp.aot
modes=()
[ "${BENCH_SKIP_NO_AOT:-0}" = 1 ] && [ -f "$aot_file" ] || modes+=(no-aot)
if [ -f "$aot_file" ]; then modes+=(aot); else echo "no AOT cache in dist/ (JDK < 25 or MESHLITE_AOT=0): measuring without it only"; fi
# BENCH_VARIANT_OPTS=<JVM flags>: also run this dist's kuma-dp with those flags added (mode "variant"), alternating
# with the others: a flag experiment measured against the shipped flags in the same run.
[ -n "${BENCH_VARIANT_OPTS:-}${BENCH_VARIANT_ARGS:-}" ] && modes+=(variant)
# BENCH_BASELINE_DIST=<another dist/>: also run that build's kuma-dp (with its own AOT cache, if it has one),
# alternating with this one, against the same kuma-cp: a before/after comparison in one run.
baseline=${BENCH_BASELINE_DIST:-}
if [ -n "$baseline" ]; then
  [ -x "$baseline/bin/kuma-dp" ] || { echo "bench-agent: no kuma-dp in BENCH_BASELINE_DIST=$baseline" >&2; exit 1; }
  modes+=(baseline)
fi

declare -A first fetch served boot ready idle anon afterdns nthreads cpu
# Modes alternate run by run, so a change of load on the machine hits both alike. Run 0 (first mode only)
# warms kuma-cp up (its first bootstraps are slow while its JIT is cold) and is not counted.
for run in $(seq 0 "$runs"); do
  for mode in "${modes[@]}"; do
    [ "$run" = 0 ] && [ "$mode" != "${modes[0]}" ] && continue
    name=bench-$mode-$run
    inbound=$(free_port); admin=$(free_port); readiness=$(free_port); dnsport=$(free_port)
    opts=""
    [ "$mode" = no-aot ] && opts="-XX:AOTMode=off"
    extra=()
    [ "$mode" = variant ] && opts="${BENCH_VARIANT_OPTS:-}" && read -r -a extra <<<"${BENCH_VARIANT_ARGS:-}"
    opts="$opts ${BENCH_DP_JAVA_OPTS:-}"
    log=$tmp/$name.log
    t0=$(now_ms)
    dp_bin=$dist/bin/kuma-dp
    [ "$mode" = baseline ] && dp_bin=$baseline/bin/kuma-dp
    JAVA_OPTS=$opts "$dp_bin" run --cp-address "https://127.0.0.1:$dps" --ca-cert-file "$ca" \
      --dataplane "{type: Dataplane, mesh: default, name: $name, networking: {address: 127.0.0.1, inbound: [{port: $inbound, servicePort: 1, tags: {kuma.io/service: bench}}]}}" \
      --admin-port "$admin" --readiness-port "$readiness" --dns-proxy-port "$dnsport" --drain-time 1s \
      --work-dir "$tmp/$name" --binary-path "$dist/bin/envoy" --envoy-log-level off ${extra[@]+"${extra[@]}"} >"$log" 2>&1 &
    dp_pid=$!
    t_ready=""
    for _ in $(seq 1 6000); do
      if [ "$(curl -s --max-time 1 "http://127.0.0.1:$readiness/ready" 2>/dev/null)" = READY ]; then t_ready=$(now_ms); break; fi
      kill -0 "$dp_pid" 2>/dev/null || break
      sleep 0.005
    done
    [ -n "$t_ready" ] || { echo "kuma-dp ($mode) did not become ready; its log:" >&2; tail "$log" >&2; exit 1; }
    if [ "$run" = 0 ]; then
      kill -TERM "$dp_pid"; kill -TERM "$dp_pid" 2>/dev/null || true; wait "$dp_pid" 2>/dev/null || true; dp_pid=""
      continue
    fi
    cpu[$mode]+="$(cpu_ms "$dp_pid") "
    line=$(grep -m1 'starting kuma-dp' "$log")
    t_first=$(log_ms "$line")
    first[$mode]+="$((t_first - t0)) "
    # kuma-cp's log line for this proxy's first bootstrap: the request had arrived by then (an upper bound of
    # start -> request, which kuma-dp does not log)
    line=$(grep -m1 "bootstrap served mesh=default dp=$name " "$tmp/kuma-cp.log")
    served[$mode]+="$(($(log_ms "$line") - t0)) "
    line=$(grep -m1 'received the Envoy bootstrap' "$log")
    boot[$mode]+="$(($(log_ms "$line") - t0)) "
    fetch[$mode]+="$(($(log_ms "$line") - t_first)) "
    ready[$mode]+="$((t_ready - t0)) "
    sleep "$idle_seconds"
    idle[$mode]+="$(($(rss_kib "$dp_pid") / 1024)) "
    anon[$mode]+="$(($(anon_kib "$dp_pid") / 1024)) "
    nthreads[$mode]+="$(threads "$dp_pid") "
    if $dns_present; then
      answered=$("$java_home/bin/java" "$tmp/DnsFlood.java" "$dnsport" "$dns_queries")
      afterdns[$mode]+="$(($(rss_kib "$dp_pid") / 1024)) "
      echo "  $mode run $run: $answered of $dns_queries DNS queries answered"
    fi
    kill -TERM "$dp_pid"; kill -TERM "$dp_pid" 2>/dev/null || true
    wait "$dp_pid" 2>/dev/null || true
    dp_pid=""
  done
done

echo
echo "== kuma-dp $(cat "$dist/lib/kuma-dp/kuma-dp.aot.jdk" 2>/dev/null || echo) ($runs runs per mode, median (min-max); $(nproc) cores)"
printf '%-8s %-20s %-22s %-20s %-22s %-22s %-20s %-16s %-16s %-20s %s\n' mode "start->running ms" "running->bootstrap ms" "start->served ms" "start->bootstrap ms" "start->ready ms" "JVM CPU to ready ms" "RSS idle MiB" "(anon MiB)" "RSS after DNS MiB" threads
for mode in "${modes[@]}"; do
  dns="DNS stub not present"
  $dns_present && dns=$(tr ' ' '\n' <<<"${afterdns[$mode]}" | grep . | stats)
  printf '%-8s %-20s %-22s %-20s %-22s %-22s %-20s %-16s %-16s %-20s %s\n' "$mode" \
    "$(tr ' ' '\n' <<<"${first[$mode]}" | grep . | stats)" \
    "$(tr ' ' '\n' <<<"${fetch[$mode]}" | grep . | stats)" \
    "$(tr ' ' '\n' <<<"${served[$mode]}" | grep . | stats)" \
    "$(tr ' ' '\n' <<<"${boot[$mode]}" | grep . | stats)" \
    "$(tr ' ' '\n' <<<"${ready[$mode]}" | grep . | stats)" \
    "$(tr ' ' '\n' <<<"${cpu[$mode]}" | grep . | stats)" \
    "$(tr ' ' '\n' <<<"${idle[$mode]}" | grep . | stats)" \
    "$(tr ' ' '\n' <<<"${anon[$mode]}" | grep . | stats)" \
    "$dns" \
    "$(tr ' ' '\n' <<<"${nthreads[$mode]}" | grep . | stats)"
done
$dns_present || echo "DNS stub not present: RSS after $dns_queries DNS queries not measured"
echo "start = the dist launcher is exec'd; running = kuma-dp's first log line (JVM up, flags parsed; the bootstrap request"
echo "is prepared next, the TLS handshake and envoy --version run meanwhile); served = kuma-cp logged serving that proxy's bootstrap (its request"
echo "had arrived: an upper bound of start -> bootstrap request); bootstrap = kuma-dp logged the answer of POST /bootstrap (TLS handshake, request and the CP's"
echo "answer); JVM CPU = user+system time of the kuma-dp JVM when /ready said READY; RSS = VmRSS of the kuma-dp JVM after ${idle_seconds}s idle (Envoy is a separate process, not counted);"
echo "anon = its private part (RssAnon); the rest is file pages (libjvm, the AOT cache) shared with other JVMs on the host."
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
