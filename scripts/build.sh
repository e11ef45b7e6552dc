#!/usr/bin/env bash
# Builds every module (tests are not run: that is scripts/test.sh) and assembles dist/, laid out like Kuma's
# release archive:
#   dist/bin/{kuma-cp,kuma-dp,kumactl,kuma-init,kuma-tcp-echo}   launchers (find Java >= 21, set JVM flags)
#   dist/bin/envoy                                                the pinned Envoy (envoy/install.sh)
#   dist/lib/<binary>/*.jar                                       each runnable module's jar + runtime classpath
#   dist/conf/kuma-cp.conf.yaml                                   kuma-cp's annotated default configuration
#   dist/conf/{kuma-cp.service,kuma-dp@.service,kuma-sysusers.conf} systemd units and users (scripts/systemd/)
#   dist/lib/kuma-dp/kuma-dp.aot (+ .aot.jdk)                     JDK AOT cache of kuma-dp (JDK >= 25 only)
#
#   usage: scripts/build.sh [extra Maven arguments, e.g. -o]
# Idempotent: run it again after any change.
set -euo pipefail
# shellcheck source=scripts/java-env.sh
. "$(dirname "${BASH_SOURCE[0]}")/java-env.sh"
cd "$MESHLITE_ROOT"
dist=$MESHLITE_ROOT/dist

# binary | module | main class | lib folder | JVM flags (besides the common ones in scripts/lib/launcher.sh)
# kuma-dp: deps.md §4 — serial GC, small heap and stacks, C1 only, small code cache, no perf data file (its
# launcher also sets MALLOC_ARENA_MAX=2). Metaspace flags stay off: they break the AOT cache dump. Measured
# additions (docs/bench/agent.md): TrimNativeHeapInterval returns the compiler's freed malloc memory (~6 MiB);
# ArchiveRelocationMode=0 maps the AOT cache/CDS archive at its own address instead of relocating (patching)
# it, so ~11 MiB of it stay clean file pages shared by every kuma-dp on the host and mapping is faster.
# IgnoreUnrecognizedVMOptions keeps a JDK 21 that lacks one of them starting.
small_footprint="-XX:+UseSerialGC -Xms8m -Xmx32m -Xss256k -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=16m -XX:-UsePerfData -XX:+IgnoreUnrecognizedVMOptions -XX:TrimNativeHeapInterval=2000 -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0 -Dio.netty.allocator.type=unpooled"
quick_start="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
# kuma-cp (docs/bench/xds.md, 1,000 dataplanes): with the JDK defaults on a big host G1 sizes itself for a
# heap of 1/4 of RAM and grows it instead of collecting (peak RSS 0.5-1.6 GiB for a ~70 MiB live set). Serial GC
# starting small grows the heap only as the live set needs, and TrimNativeHeapInterval hands freed malloc memory
# back. No -Xmx: the default (1/4 of RAM) keeps large meshes working; set JAVA_OPTS=-Xmx... to cap it. Serial
# collects its old generation only when it cannot grow, so kuma-cp's HeapGovernor asks for a full GC once the
# old generation holds 25 % more than its last live size. MinHeapFreeRatio=20 keeps that full GC from growing
# the old generation to live/0.6, and MaxNewSize=32m stops it from growing the young one to old/2 (Serial sizes
# it from the old). Unpooled Netty buffers: the pooled allocator held 5-17 MiB of direct memory for ~1,000
# streams. C2 stays on: C1 only made generation 1.9x slower; -XX:-TieredCompilation saves ~25 MiB of code
# cache but a cold kuma-cp then propagates changes much slower (p99 950 against 590 ms).
# Compact object headers (JDK 25+; the launcher drops the flag on JDK 24, older JDKs ignore it): 8-byte
# instead of 12-byte headers cut the live heap at 1,000 dataplanes from 76 to 69 MiB and the peak RSS by
# about 8 MiB (294/303 against 311 MiB in the same session, docs/bench/xds.md).
# The xDS load harness reads this line (tests/.../bench/CpLauncher.java), keep its form.
kuma_cp_flags="-XX:+UseSerialGC -Xms32m -XX:MaxNewSize=32m -XX:MinHeapFreeRatio=20 -Dio.netty.allocator.type=unpooled -XX:+IgnoreUnrecognizedVMOptions -XX:TrimNativeHeapInterval=2000 -XX:+UseCompactObjectHeaders"
binaries=(
  "kuma-cp|cp-lite/server|io.meshlite.cp.CpMain|kuma-cp|$kuma_cp_flags"
  "kuma-dp|agent|io.meshlite.agent.AgentMain|kuma-dp|$small_footprint"
  "kumactl|cp-lite/kumactl|io.meshlite.kumactl.KumactlMain|kumactl|$quick_start"
  "kuma-init|iptables-init|io.meshlite.iptables.KumaInitMain|kuma-init|$quick_start"
  "kuma-tcp-echo||io.meshlite.agent.echo.TcpEchoMain|kuma-dp|$quick_start"
)

meshlite_section "Build ($(meshlite_describe_env))"
# copy-dependencies only adds jars: clear the copies so a dependency removed from a pom leaves dist/ too.
for entry in "${binaries[@]}"; do
  IFS='|' read -r _ module _ _ _ <<<"$entry"
  if [ -n "$module" ]; then rm -rf "$module/target/lib"; fi
done
meshlite_mvn -B -q -DskipTests package "$@" || meshlite_fail "build failed: mvn package (see the Maven output above)"

meshlite_section "Assemble dist/"
rm -rf "${dist:?}/lib" "${dist:?}/conf"
mkdir -p "$dist/bin" "$dist/lib" "$dist/conf"
cp scripts/lib/jdk.sh "$dist/bin/.jdk.sh"
cp scripts/lib/launcher.sh "$dist/bin/.launcher"

# shellcheck source=scripts/lib/jdk.sh
. scripts/lib/jdk.sh
build_jdk=$(meshlite_find_jdk java || true)
for entry in "${binaries[@]}"; do
  IFS='|' read -r binary module main lib flags <<<"$entry"
  if [ -n "$module" ]; then
    jars=()
    for jar in "$module"/target/*.jar; do
      case $jar in *-sources.jar | *-javadoc.jar | *-tests.jar) continue ;; esac
      [ -f "$jar" ] && jars+=("$jar")
    done
    [ ${#jars[@]} -eq 1 ] || meshlite_fail "expected one jar in $module/target for $binary, found ${#jars[@]}: run scripts/build.sh again after 'mvn clean'"
    mkdir -p "$dist/lib/$lib"
    cp "${jars[0]}" "$dist/lib/$lib/"
    if [ -d "$module/target/lib" ]; then
      cp "$module"/target/lib/*.jar "$dist/lib/$lib/" 2>/dev/null || true
    fi
  fi
  {
    echo '#!/usr/bin/env bash'
    echo '# shellcheck disable=SC2034  # the variables are read by .launcher'
    echo "# $binary launcher, generated by scripts/build.sh. Extra JVM flags: JAVA_OPTS."
    echo "MESHLITE_BINARY=$binary"
    echo "MESHLITE_MAIN=$main"
    echo "MESHLITE_LIB=$lib"
    echo "MESHLITE_JVM_FLAGS=($flags)"
    if [ "$binary" = kuma-dp ]; then
      # glibc's per-thread malloc arenas cost RSS for nothing in a small agent (Envoy uses its own allocator).
      # shellcheck disable=SC2016  # written literally into the launcher
      echo 'export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}'
      # Without JAVA_HOME, start on the JDK this dist/ was built with (its AOT cache is for that JDK) and skip
      # the search under /usr/lib/jvm (~40 ms of every start). Not exported: Envoy does not see it.
      if [ -n "$build_jdk" ]; then
        echo "if [ -z \"\${JAVA_HOME:-}\" ] && [ -x '$build_jdk/bin/java' ]; then JAVA_HOME='$build_jdk'; fi"
      fi
    fi
    grep -v '^# shellcheck shell=' scripts/lib/launcher-head.sh
  } >"$dist/bin/$binary.tmp"
  chmod 0755 "$dist/bin/$binary.tmp"
  mv -f "$dist/bin/$binary.tmp" "$dist/bin/$binary"
done

defaults=cp-lite/server/src/main/resources/kuma-cp.defaults.yaml
if [ -f "$defaults" ]; then
  cp "$defaults" "$dist/conf/kuma-cp.conf.yaml"
else
  cat >"$dist/conf/kuma-cp.conf.yaml" <<'EOF'
# kuma-cp configuration (kuma-cp run -c dist/conf/kuma-cp.conf.yaml).
# Placeholder: the annotated defaults (cp-lite/server/src/main/resources/kuma-cp.defaults.yaml) did not exist
# when this dist/ was built. Every key is optional; KUMA_* environment variables override this file.
environment: universal
store:
  type: memory
EOF
fi

cp scripts/systemd/kuma-cp.service scripts/systemd/kuma-dp@.service scripts/systemd/kuma-sysusers.conf "$dist/conf/"

meshlite_section "Envoy"
bash envoy/install.sh "$dist/bin/envoy"

# JDK AOT cache for kuma-dp (JEP 483/514/515): a training run of the real agent through its own launcher
# (same JVM flags, same classpath) records the startup path; later starts map the cache and skip most class
# loading and linking. The cache is tied to the exact JDK build and jars, hence rebuilt on every build and
# stamped with JAVA_RUNTIME_VERSION, which the launcher compares before using it. Optional: without JDK 25+
# or if training fails, kuma-dp simply starts without it. MESHLITE_AOT=0 skips it.
meshlite_section "AOT cache (kuma-dp)"
aot=$dist/lib/kuma-dp/kuma-dp.aot
rm -f "$aot" "$aot.jdk" "$aot.config"
if [ "${MESHLITE_AOT:-1}" = 0 ]; then
  echo "skipped (MESHLITE_AOT=0)"
elif ! aot_jdk=$(meshlite_find_jdk java) || [ "$(meshlite_java_major "$aot_jdk")" -lt 25 ]; then
  echo "skipped: the JDK kuma-dp runs on (${aot_jdk:-none}) is older than 25 (no -XX:AOTCacheOutput)"
else
  aot_log=$(mktemp)
  if JAVA_OPTS="-XX:AOTCacheOutput=$aot -Xlog:aot=error -Xlog:cds=error" \
    timeout 120 "$dist/bin/kuma-dp" aot-train --binary-path "$dist/bin/envoy" >"$aot_log" 2>&1 && [ -s "$aot" ]; then
    meshlite_release_value "$aot_jdk/release" JAVA_RUNTIME_VERSION >"$aot.jdk"
    echo "kuma-dp.aot: $(du -h "$aot" | cut -f1), for JDK $(cat "$aot.jdk")"
  else
    rm -f "$aot" "$aot.jdk" "$aot.config"
    echo "WARNING: the AOT training run failed; kuma-dp starts without a cache. Its output:" >&2
    tail -n 20 "$aot_log" >&2
  fi
  rm -f "$aot_log"
fi

meshlite_section "dist/ summary"
for f in "$dist"/bin/*; do
  printf '  bin/%-16s %s\n' "$(basename "$f")" "$(du -h "$f" | cut -f1)"
done
for d in "$dist"/lib/*/; do
  count=$(find "$d" -maxdepth 1 -name '*.jar' | wc -l)
  printf '  lib/%-16s %3d jars, %s\n' "$(basename "$d")" "$count" "$(du -sh "$d" | cut -f1)"
done
for f in "$dist"/conf/*; do
  printf '  conf/%s\n' "$(basename "$f")"
done
echo "dist/ is ready: $dist"
