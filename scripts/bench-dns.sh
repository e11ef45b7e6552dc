#!/usr/bin/env bash
# Benchmark of kuma-dp's embedded DNS stub (a benchmark, not a test; loopback only).
#
# Runs three cases with dnsperf, each as a throughput run (as fast as dnsperf can send, 100
# queries outstanding) and a fixed-rate latency run whose per-query latencies give p50/p99:
#   baseline  - a trivial one-event-loop UDP responder (DnsStubBench upstream), the ceiling of
#               this machine + dnsperf for a Java UDP server
#   mesh      - the stub answering names of its mesh table (SERVICES names)
#   forwarded - the stub answering names from its upstream cache (warmed by one pass first)
# The server JVM is pinned to one core (SERVER_CPU), dnsperf to another (CLIENT_CPU). The stub's
# RSS (/proc/PID/status) is printed after start-up and after every case.
#
# Usage: scripts/bench-dns.sh            (as root if dnsperf must be installed)
# Knobs (env): DURATION=10 LATENCY_DURATION=5 LATENCY_QPS=20000 SERVICES=1000 NAMES=1000
#              STUB_PORT=25053 UPSTREAM_PORT=25054 SERVER_CPU=0 CLIENT_CPU=1 SKIP_BUILD=1
#              JVM_OPTS="..." (default below: kuma-dp's small-footprint flags)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${DURATION:-10}
LATENCY_DURATION=${LATENCY_DURATION:-5}
LATENCY_QPS=${LATENCY_QPS:-20000}
SERVICES=${SERVICES:-1000}
NAMES=${NAMES:-1000}
STUB_PORT=${STUB_PORT:-25053}
UPSTREAM_PORT=${UPSTREAM_PORT:-25054}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
JVM_OPTS=${JVM_OPTS:-"-XX:+UseSerialGC -Xmx32m -Xss256k -XX:ReservedCodeCacheSize=16m -XX:-UsePerfData -Dio.netty.allocator.type=unpooled --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"}

die() { echo "bench-dns: $*" >&2; exit 1; }

# --- dnsperf -----------------------------------------------------------------------------------
if ! command -v dnsperf >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || die "dnsperf is missing; run as root to install it with apt-get, or install it yourself"
  echo "installing dnsperf with apt-get" >&2
  apt-get install -y dnsperf >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y dnsperf >/dev/null; }
fi
command -v taskset >/dev/null 2>&1 || die "taskset (util-linux) is missing"
[ -x "$JAVA" ] || die "no java at $JAVA; set JAVA_HOME to a JDK 21+"

# --- build -------------------------------------------------------------------------------------
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "building the agent jar (mvn package -pl agent -am -DskipTests)" >&2
  (cd "$ROOT" && export JAVA_HOME MAVEN_OPTS=--sun-misc-unsafe-memory-access=allow &&
    { mvn -B -q -o -pl agent -am package -DskipTests || mvn -B -q -pl agent -am package -DskipTests; }) >&2
fi
JAR=$(find "$ROOT/agent/target" -maxdepth 1 -name "kuma-dp-*.jar" 2>/dev/null | head -1)
[ -n "$JAR" ] || die "agent/target/kuma-dp-*.jar not found; build first (drop SKIP_BUILD)"
CP="$JAR:$ROOT/agent/target/lib/*"

WORK=$(mktemp -d /tmp/bench-dns.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

for i in $(seq 0 $((SERVICES - 1))); do echo "svc-$i.mesh A"; done >"$WORK/mesh.txt"
for i in $(seq 0 $((NAMES - 1))); do echo "ext-$i.example.com A"; done >"$WORK/forwarded.txt"

# start <name> <cpu> <args...>: runs DnsStubBench pinned to <cpu>, waits for "ready", sets PID
start() {
  local name=$1 cpu=$2; shift 2
  # shellcheck disable=SC2086
  taskset -c "$cpu" "$JAVA" $JVM_OPTS -cp "$CP" io.meshlite.agent.dns.DnsStubBench "$@" >"$WORK/$name.log" 2>&1 &
  PID=$!
  PIDS+=("$PID")
  for _ in $(seq 1 300); do
    grep -q '^ready ' "$WORK/$name.log" 2>/dev/null && return 0
    kill -0 "$PID" 2>/dev/null || die "$name exited: $(cat "$WORK/$name.log")"
    sleep 0.1
  done
  die "$name did not start: $(cat "$WORK/$name.log")"
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
rss() { awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
hwm() { awk '/^VmHWM/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }

cputicks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# throughput <case> <port> <file> <server-pid>: prints "qps avg_ms lost cpu% cpu_us_per_query"
# (cpu = user+system time of the whole server JVM during the run, in % of one core)
throughput() {
  local out="$WORK/$1.throughput.txt" t0 t1
  t0=$(cputicks "$4")
  taskset -c "$CLIENT_CPU" dnsperf -s 127.0.0.1 -p "$2" -d "$3" -l "$DURATION" -q 100 >"$out" 2>&1
  t1=$(cputicks "$4")
  awk -v ticks=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v d="$DURATION" \
    '/Queries per second/ {q=$4} /Average Latency/ {l=$4*1000} /Queries lost/ {lost=$3}
     /Queries completed/ {n=$3}
     END {cpu=ticks/hz; printf "%.0f %.3f %s %.0f %.2f\n", q, l, lost, 100*cpu/d, (n > 0 ? cpu*1e6/n : 0)}' "$out"
}

# latency <case> <port> <file>: fixed rate, prints "qps p50_ms p99_ms p999_ms max_ms"
latency() {
  local out="$WORK/$1.latency.txt"
  taskset -c "$CLIENT_CPU" dnsperf -s 127.0.0.1 -p "$2" -d "$3" -l "$LATENCY_DURATION" -Q "$LATENCY_QPS" -v >"$out" 2>&1
  local q
  q=$(awk '/Queries per second/ {printf "%.0f", $4}' "$out")
  awk '/^> / {print $5}' "$out" | sort -g | awk -v q="$q" '{a[NR]=$1}
    END {if (NR == 0) {print q, "-", "-", "-", "-"; exit}
         printf "%s %.3f %.3f %.3f %.3f\n", q, a[int(NR*0.50)]*1000, a[int(NR*0.99)]*1000, a[int(NR*0.999)]*1000, a[NR]*1000}'
}

ROWS=()
row() { ROWS+=("| $1 | $2 | $3 | $4 | $5 | $6 | $7 | $8 | $9 | ${10} |"); }

# --- baseline: the trivial responder on the server core ------------------------------------------
start baseline "$SERVER_CPU" upstream "$UPSTREAM_PORT"
BASE=$PID
read -r bq bavg blost bcpu bus < <(throughput baseline "$UPSTREAM_PORT" "$WORK/mesh.txt" "$BASE")
read -r lq p50 p99 p999 pmax < <(latency baseline "$UPSTREAM_PORT" "$WORK/mesh.txt")
row "baseline (trivial responder)" "$bq" "$bavg" "$blost" "$bcpu" "$bus" "$lq" "$p50" "$p99 / $p999 / $pmax" "$(rss "$BASE")"
stop "$BASE"

# --- the stub -----------------------------------------------------------------------------------
start upstream "$CLIENT_CPU" upstream "$UPSTREAM_PORT"
start stub "$SERVER_CPU" stub "$STUB_PORT" "$UPSTREAM_PORT" "$SERVICES"
STUB=$PID
RSS_START=$(rss "$STUB")

read -r mq mavg mlost mcpu mus < <(throughput mesh "$STUB_PORT" "$WORK/mesh.txt" "$STUB")
read -r lq p50 p99 p999 pmax < <(latency mesh "$STUB_PORT" "$WORK/mesh.txt")
RSS_MESH=$(rss "$STUB")
row "stub: mesh names ($SERVICES in table)" "$mq" "$mavg" "$mlost" "$mcpu" "$mus" "$lq" "$p50" "$p99 / $p999 / $pmax" "$RSS_MESH"

taskset -c "$CLIENT_CPU" dnsperf -s 127.0.0.1 -p "$STUB_PORT" -d "$WORK/forwarded.txt" -n 1 >"$WORK/forwarded.warmup.txt" 2>&1
read -r fq favg flost fcpu fus < <(throughput forwarded "$STUB_PORT" "$WORK/forwarded.txt" "$STUB")
read -r lq p50 p99 p999 pmax < <(latency forwarded "$STUB_PORT" "$WORK/forwarded.txt")
RSS_FWD=$(rss "$STUB")
row "stub: forwarded, cached ($NAMES names)" "$fq" "$favg" "$flost" "$fcpu" "$fus" "$lq" "$p50" "$p99 / $p999 / $pmax" "$RSS_FWD"

# a second mesh round shows whether memory keeps growing
read -r mq2 mavg2 mlost2 mcpu2 mus2 < <(throughput mesh2 "$STUB_PORT" "$WORK/mesh.txt" "$STUB")
RSS_END=$(rss "$STUB")
HWM_END=$(hwm "$STUB")
row "stub: mesh names, second round" "$mq2" "$mavg2" "$mlost2" "$mcpu2" "$mus2" "-" "-" "-" "$RSS_END"
stop "$STUB"

cat <<EOF

DNS stub benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -r), $("$JAVA" -version 2>&1 | head -1))
server pinned to CPU $SERVER_CPU, dnsperf to CPU $CLIENT_CPU; JVM_OPTS: $JVM_OPTS
throughput: dnsperf -s 127.0.0.1 -p <port> -d <file> -l $DURATION -q 100
latency:    dnsperf -s 127.0.0.1 -p <port> -d <file> -l $LATENCY_DURATION -Q $LATENCY_QPS -v  (percentiles of the per-query latencies)

| case | qps (max) | avg latency ms | lost | server CPU % | CPU µs/query | qps (latency run) | p50 ms | p99 / p99.9 / max ms | RSS MiB after |
|---|---|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${ROWS[@]}")

load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine may be shared: tails vary run to run)
stub RSS: after start-up $RSS_START MiB, after mesh $RSS_MESH MiB, after forwarded $RSS_FWD MiB, at the end $RSS_END MiB (peak VmHWM $HWM_END MiB)
stub counters at exit: $(grep '^counters' "$WORK/stub.log" | sed 's/^counters //')
raw dnsperf output: $WORK
EOF
