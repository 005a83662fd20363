#!/bin/bash
# Galera member probes (galera-gitops): probe.sh readiness | liveness
#
# readiness  Ready only when the member is Synced (wsrep_local_state 4): only then does the
#            client Service send it traffic. While start.sh recovers a full-cluster outage
#            ($RUNTIME/recovering) and no primary component exists, it passes, so
#            OrderedReady starts the next member.
# liveness   Fails only when the server should be running and does not answer. It passes
#            while start.sh is still deciding or waiting, during a state transfer (SST can
#            take hours on a large data set) and during a recovery.
set -uo pipefail

DATADIR=${GALERA_DATADIR:-/var/lib/mysql}
RUNTIME=${GALERA_RUNTIME_DIR:-/run/galera-gitops}
CLIENT=${GALERA_CLIENT:-$(command -v mariadb || command -v mysql)}
ADMIN=${GALERA_ADMIN:-$(command -v mariadb-admin || command -v mysqladmin)}
export MYSQL_PWD=${MYSQL_ROOT_PASSWORD:-}
# The member's option file (written by start.sh) so the client finds the server's socket.
OPTIONS=()
[ -r "$RUNTIME/my.cnf" ] && OPTIONS=(--defaults-extra-file="$RUNTIME/my.cnf")

status() { "$CLIENT" "${OPTIONS[@]}" -uroot -N -s --connect-timeout=3 -e "SHOW GLOBAL STATUS LIKE '$1'" 2>/dev/null | awk '{print $2}'; }

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
    # Recovering a full-cluster outage: Ready while the group has no primary component, so
    # that OrderedReady starts the members it waits for. A member joining a healthy
    # (Primary) cluster is not Ready until it is Synced.
    if [ -e "$RUNTIME/recovering" ] && [ "$(status wsrep_cluster_status)" != "Primary" ]; then exit 0; fi
    exit 1
    ;;
  liveness)
    case "$(cat "$RUNTIME/phase" 2>/dev/null)" in
      server*) ;;
      *) exit 0 ;;
    esac
    [ -e "$RUNTIME/recovering" ] && exit 0
    sst_in_progress && exit 0
    "$ADMIN" "${OPTIONS[@]}" -uroot --connect-timeout=3 ping >/dev/null 2>&1
    ;;
  *)
    echo "usage: probe.sh readiness|liveness" >&2
    exit 2
    ;;
esac
