# shellcheck shell=bash
# Common part of the dist/bin launchers; scripts/build.sh copies it to dist/bin/.launcher. Each launcher sets
#   MESHLITE_BINARY      its name (kuma-cp, kuma-dp, ...)
#   MESHLITE_MAIN        the main class
#   MESHLITE_LIB         the folder under <dist>/lib holding its jars
#   MESHLITE_JVM_FLAGS   (array) its own JVM flags
# and sources this file, which finds Java >= 21 and execs it. Extra JVM flags: JAVA_OPTS.
#
# AOT cache hook (JDK 25+): when <dist>/lib/<lib>/<binary>.aot exists it is used. Whoever creates the cache
# should also write <binary>.aot.jdk holding the creating JDK's JAVA_RUNTIME_VERSION (from its `release` file);
# a cache stamped for another JDK build is then left out instead of being rejected by the JVM with a warning.

# Parameter expansion instead of dirname/sed/cat: every process started here delays the JVM (≈ 30 ms in all).
MESHLITE_BIN_DIR=$(cd "${BASH_SOURCE[0]%/*}" && pwd)
MESHLITE_HOME=${MESHLITE_BIN_DIR%/*}
MESHLITE_HOME=${MESHLITE_HOME:-/}
# shellcheck source=scripts/lib/jdk.sh
. "$MESHLITE_BIN_DIR/.jdk.sh"

if ! meshlite_java_home=$(meshlite_find_jdk java); then
  echo "$MESHLITE_BINARY: no Java >= $MESHLITE_MIN_JAVA found: install one (e.g. apt-get install temurin-21-jdk / openjdk-21-jre) or set JAVA_HOME" >&2
  exit 1
fi
meshlite_java_version=$(meshlite_java_major "$meshlite_java_home")

meshlite_flags=(--enable-native-access=ALL-UNNAMED)
if [ "$meshlite_java_version" -ge 23 ]; then
  meshlite_flags+=(--sun-misc-unsafe-memory-access=allow)
fi
meshlite_flags+=("${MESHLITE_JVM_FLAGS[@]}")
if [ "$meshlite_java_version" -eq 24 ]; then
  # Compact object headers are a product flag from JDK 25 on; JDK 24 refuses it without unlocking experimental
  # options (older JDKs ignore it, as an unrecognized option under -XX:+IgnoreUnrecognizedVMOptions).
  for meshlite_i in "${!meshlite_flags[@]}"; do
    [ "${meshlite_flags[$meshlite_i]}" = -XX:+UseCompactObjectHeaders ] && unset "meshlite_flags[$meshlite_i]"
  done
fi

meshlite_aot=$MESHLITE_HOME/lib/$MESHLITE_LIB/$MESHLITE_BINARY.aot
if [ -f "$meshlite_aot" ] && [ "$meshlite_java_version" -ge 25 ]; then
  meshlite_runtime=$(meshlite_release_value "$meshlite_java_home/release" JAVA_RUNTIME_VERSION)
  if [ ! -f "$meshlite_aot.jdk" ] || [ "$(<"$meshlite_aot.jdk")" = "$meshlite_runtime" ]; then
    meshlite_flags+=("-XX:AOTCache=$meshlite_aot")
  fi
fi

read -r -a meshlite_java_opts <<<"${JAVA_OPTS:-}"

exec "$meshlite_java_home/bin/java" "${meshlite_flags[@]}" "${meshlite_java_opts[@]}" \
  "-Dmeshlite.home=$MESHLITE_HOME" -cp "$MESHLITE_HOME/lib/$MESHLITE_LIB/*" "$MESHLITE_MAIN" "$@"
