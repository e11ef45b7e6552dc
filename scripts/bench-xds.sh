#!/usr/bin/env bash
# xDS load harness (issue P9): registers N Dataplanes across M services through kuma-cp's REST API, opens N ADS
# streams that behave like Envoy, and prints time-to-first-config, change propagation p50/p99/max, bytes sent,
# and kuma-cp RSS/CPU. A benchmark, not a test: never run by scripts/test.sh.
#
#   usage: scripts/bench-xds.sh [harness options]
#     e.g. scripts/bench-xds.sh --dataplanes=1000 --services=100
#          scripts/bench-xds.sh --dataplanes=1000 --services=100 --connections=per-proxy
#          scripts/bench-xds.sh --dataplanes=100 --protocol=delta
#          scripts/bench-xds.sh --dataplanes=1000 --services=100 --mtls   (builtin mTLS; adds the permission change)
#          scripts/bench-xds.sh --dataplanes=1000 --cp-jvm-opts="-Xlog:gc:file=/tmp/cp-gc.log"
#   Options are listed in tests/src/test/java/io/meshlite/tests/bench/XdsLoadBench.java. By default kuma-cp is
#   started from the test classpath with the JVM flags dist/bin/kuma-cp uses; --cp=dist runs dist/bin/kuma-cp
#   (scripts/build.sh first); --cp=external --api-url=... --dp-port=... [--cp-pid=...] targets a running one.
#
#   environment:
#     BENCH_SKIP_BUILD=1   reuse the last build (tests/target/bench.classpath)
#     BENCH_MVN_ARGS       extra Maven arguments for the build (e.g. -o)
#     BENCH_JAVA_OPTS      JVM flags of the harness itself (default: -XX:+UseParallelGC -Xms512m -Xmx2g)
# Exit code: 0 when every stream converged every time, 1 when not, 2 on bad arguments.
set -euo pipefail
# shellcheck source=scripts/java-env.sh
. "$(dirname "${BASH_SOURCE[0]}")/java-env.sh"
cd "$MESHLITE_ROOT"

classpath_file=tests/target/bench.classpath
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ] || [ ! -f "$classpath_file" ]; then
  meshlite_section "Build the harness ($(meshlite_describe_env))"
  read -r -a mvn_args <<<"${BENCH_MVN_ARGS:-}"
  meshlite_mvn -B -q "${mvn_args[@]}" -pl tests -am test-compile dependency:build-classpath -DskipTests \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test ||
    meshlite_fail "build failed: mvn test-compile (see the Maven output above)"
fi

flags=(--enable-native-access=ALL-UNNAMED)
if [ "$MESHLITE_JAVA_MAJOR" -ge 23 ]; then
  flags+=(--sun-misc-unsafe-memory-access=allow)
fi
read -r -a harness_opts <<<"${BENCH_JAVA_OPTS:--XX:+UseParallelGC -Xms512m -Xmx2g}"

meshlite_section "xDS load harness: $*"
echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (dirty)'), $(nproc) cores, $(free -m | awk '/^Mem:/ {print $2}') MiB RAM, load average $(cut -d' ' -f1-3 /proc/loadavg)"
exec "$JAVA_HOME/bin/java" "${flags[@]}" "${harness_opts[@]}" \
  -cp "tests/target/test-classes:$(cat "$classpath_file")" io.meshlite.tests.bench.XdsLoadBench "$@"
