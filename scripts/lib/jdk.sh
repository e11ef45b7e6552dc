# shellcheck shell=bash
# Finding a JDK (or, for the launchers, a Java runtime) that is new enough.
#
# Functions only, no side effects. Sourced by scripts/java-env.sh, and copied to dist/bin/.jdk.sh by
# scripts/build.sh so that the dist launchers use the very same lookup (dist/ must not depend on scripts/).

MESHLITE_MIN_JAVA=21

# meshlite_java_major HOME: prints the feature version (21, 25, ...) of the Java installation at HOME.
# Reads HOME/release when it exists (no JVM start), else asks `java -version`.
# The value of KEY="value" in a JDK's release file (pure bash: no process is started, as launchers call this
# on every start).
meshlite_release_value() {
  local file=$1 key=$2 line
  [ -r "$file" ] || return 1
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in
      "$key="*)
        line=${line#"$key="}
        line=${line#\"}
        printf '%s\n' "${line%\"}"
        return 0
        ;;
    esac
  done <"$file"
  return 1
}

meshlite_java_major() {
  local home=$1 v=""
  [ -x "$home/bin/java" ] || return 1
  v=$(meshlite_release_value "$home/release" JAVA_VERSION)
  if [ -z "$v" ]; then
    v=$("$home/bin/java" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1)
  fi
  v=${v#1.}        # 1.8.0_402 -> 8.0_402
  v=${v%%[._+-]*}  # 25.0.3 -> 25, 26-ea -> 26
  case $v in '' | *[!0-9]*) return 1 ;; esac
  printf '%s\n' "$v"
}

# meshlite_jdk_usable HOME java|javac: prints HOME's major version when it is >= MESHLITE_MIN_JAVA
# (and, with "javac", when HOME also has a compiler); fails otherwise.
meshlite_jdk_usable() {
  local home=$1 need=$2 major
  major=$(meshlite_java_major "$home") || return 1
  [ "$major" -ge "$MESHLITE_MIN_JAVA" ] || return 1
  if [ "$need" = javac ] && [ ! -x "$home/bin/javac" ]; then return 1; fi
  printf '%s\n' "$major"
}

# meshlite_find_jdk java|javac: prints the home of the Java installation to use, or fails. "java" is
# enough to run the launchers; building needs "javac" too.
# Order: $JAVA_HOME when new enough; else the newest under /usr/lib/jvm; else `java` on PATH.
meshlite_find_jdk() {
  local need=$1 home major best="" best_major=0 java
  if [ -n "${JAVA_HOME:-}" ] && meshlite_jdk_usable "$JAVA_HOME" "$need" >/dev/null; then
    printf '%s\n' "${JAVA_HOME%/}"
    return 0
  fi
  for home in /usr/lib/jvm/*; do
    [ -d "$home" ] || continue
    major=$(meshlite_jdk_usable "$home" "$need") || continue
    if [ "$major" -gt "$best_major" ]; then
      best=$home
      best_major=$major
    fi
  done
  if [ -n "$best" ]; then
    printf '%s\n' "$best"
    return 0
  fi
  java=$(command -v java 2>/dev/null) || return 1
  home=$(dirname "$(dirname "$(readlink -f "$java")")")
  meshlite_jdk_usable "$home" "$need" >/dev/null || return 1
  printf '%s\n' "$home"
}
