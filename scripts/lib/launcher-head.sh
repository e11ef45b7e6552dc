# shellcheck shell=bash
# The last lines of every dist/bin launcher (scripts/build.sh appends this file after the launcher's own
# variables; the tests' dist does the same): find bin/.launcher next to the real file and source it. A symlink
# (e.g. /usr/local/bin/kuma-dp) is resolved only when there is one, because readlink is a process of its own.
meshlite_self=$0
[ -L "$meshlite_self" ] && meshlite_self=$(readlink -f "$meshlite_self")
case $meshlite_self in */*) ;; *) meshlite_self=./$meshlite_self ;; esac
# shellcheck source=/dev/null
. "${meshlite_self%/*}/.launcher"
