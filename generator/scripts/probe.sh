#!/bin/bash
# Galera member probes (galera-gitops): probe.sh readiness | liveness
#
# readiness  Ready only when the member is Synced (wsrep_local_state 4): only then does the
#            client Service send it traffic. While start.sh recovers a full-cluster crash
#            ($RUNTIME/recovering) it passes, so OrderedReady starts the next member.
# liveness   Fails only when the server should be running and does not answer. It passes
#            while start.sh is still deciding or waiting, during a state transfer (SST can
#            take hours on a large data set) and during a recovery.
set -uo pipefail

DATADIR=${GALERA_DATADIR:-/var/lib/mysql}
RUNTIME=${GALERA_RUNTIME_DIR:-/run/galera-gitops}
CLIENT=${GALERA_CLIENT:-$(command -v mariadb || command -v mysql)}
ADMIN=${GALERA_ADMIN:-$(command -v mariadb-admin || command -v mysqladmin)}
export MYSQL_PWD=${MYSQL_ROOT_PASSWORD:-}

status() { "$CLIENT" -uroot -N -s --connect-timeout=3 -e "SHOW GLOBAL STATUS LIKE '$1'" 2>/dev/null | awk '{print $2}'; }

sst_in_progress() {
  [ -e "$DATADIR/sst_in_progress" ] && return 0
  grep -qs -e wsrep_sst_ /proc/[0-9]*/cmdline
}

case "${1:-}" in
  readiness)
    if [ "$(status wsrep_local_state)" = "4" ] && [ "$(status wsrep_ready)" = "ON" ]; then
      rm -f "$RUNTIME/recovering"
      exit 0
    fi
    [ -e "$RUNTIME/recovering" ] && exit 0
    exit 1
    ;;
  liveness)
    case "$(cat "$RUNTIME/phase" 2>/dev/null)" in
      server*) ;;
      *) exit 0 ;;
    esac
    [ -e "$RUNTIME/recovering" ] && exit 0
    sst_in_progress && exit 0
    "$ADMIN" -uroot --connect-timeout=3 ping >/dev/null 2>&1
    ;;
  *)
    echo "usage: probe.sh readiness|liveness" >&2
    exit 2
    ;;
esac
