# shellcheck shell=bash
# Sourced by every script in scripts/: picks a JDK >= 21, exports JAVA_HOME, PATH and MAVEN_OPTS, makes sure
# Maven is there, and defines the few helpers the scripts share. Exits (with one line on stderr) when it cannot.
#
# After sourcing: MESHLITE_ROOT (the repository), MESHLITE_JAVA_MAJOR, and meshlite_mvn (mvn plus the flags
# this JDK needs).

MESHLITE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib/jdk.sh
. "$MESHLITE_ROOT/scripts/lib/jdk.sh"

# meshlite_fail MESSAGE: one line on stderr, then exit 1.
meshlite_fail() {
  printf '%s\n' "$*" >&2
  exit 1
}

# meshlite_section TITLE: a header that is easy to spot in a long CI log.
meshlite_section() {
  printf '\n==== %s ====\n' "$*"
}

# meshlite_apt_install PACKAGE...: installs Debian packages when running as root with apt-get; fails otherwise.
meshlite_apt_install() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || return 1
  echo "installing with apt-get: $*"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "$@" >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "$@" >/dev/null; }
}

if ! JAVA_HOME=$(meshlite_find_jdk javac); then
  meshlite_fail "no JDK >= $MESHLITE_MIN_JAVA found: install one (e.g. apt-get install temurin-21-jdk / openjdk-21-jdk) or set JAVA_HOME"
fi
MESHLITE_JAVA_MAJOR=$(meshlite_java_major "$JAVA_HOME")
PATH="$JAVA_HOME/bin:$PATH"
export JAVA_HOME PATH MESHLITE_ROOT MESHLITE_JAVA_MAJOR

# --sun-misc-unsafe-memory-access exists from JDK 23 on; older JVMs refuse to start with it. It silences
# protobuf's (and Maven's guava's) sun.misc.Unsafe warnings. The root pom passes it to test JVMs through the
# property test.jvm.args, which is narrowed here for older JDKs.
MAVEN_OPTS=${MAVEN_OPTS:-}
if [ "$MESHLITE_JAVA_MAJOR" -ge 23 ]; then
  case " $MAVEN_OPTS " in
    *" --sun-misc-unsafe-memory-access="*) ;;
    *) MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow" ;;
  esac
  MESHLITE_MVN_JDK_ARGS=()
else
  MAVEN_OPTS=$(printf '%s' "$MAVEN_OPTS" | sed 's/--sun-misc-unsafe-memory-access=[^ ]*//g')
  MESHLITE_MVN_JDK_ARGS=(-Dtest.jvm.args=--enable-native-access=ALL-UNNAMED)
fi
export MAVEN_OPTS

if ! command -v mvn >/dev/null 2>&1; then
  meshlite_apt_install maven ||
    meshlite_fail "Maven (mvn) not found: install it (apt-get install maven, as root) or put mvn on PATH"
  command -v mvn >/dev/null 2>&1 || meshlite_fail "Maven was installed but mvn is still not on PATH"
fi

# meshlite_mvn ARGS...: Maven with the flags the chosen JDK needs.
meshlite_mvn() {
  mvn "${MESHLITE_MVN_JDK_ARGS[@]}" "$@"
}

# meshlite_describe_env: one line naming the JDK and Maven in use.
meshlite_describe_env() {
  local mvn_version
  mvn_version=$(mvn -B -v 2>/dev/null | sed -n 's/.*Apache Maven \([0-9][0-9.]*\).*/\1/p' | head -n 1)
  echo "JDK $MESHLITE_JAVA_MAJOR at $JAVA_HOME; Maven ${mvn_version:-?} ($(command -v mvn))"
}
