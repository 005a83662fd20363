#!/bin/bash
# Galera member start-up (galera-gitops). The container's command: it decides how this
# member starts, then execs the server.
#
#   join       a peer's group-communication port (4567) answers: join it (IST or SST)
#   new        empty data directory, ordinal 0, no peer up: bootstrap a new cluster
#   wait       empty data directory, ordinal > 0: wait for a peer, then join
#   bootstrap  no peer up, grastate.dat says safe_to_bootstrap: 1 (this member stopped
#              last after a clean full stop): bootstrap from its data
#   restore    no peer up, gvwstate.dat present (full-cluster crash): start and let Galera
#              restore the last primary component once all its members are back
#   elect      no peer up, nothing says who is safe: every member publishes its last
#              committed seqno, and the highest (lowest ordinal on a tie) bootstraps
#
# OrderedReady starts member i+1 only when member i is Ready. In restore and elect no
# member can be Synced before the others are up, so while $RUNTIME/recovering exists and
# the group has no primary component the readiness probe passes (the way Percona's
# operator keeps OrderedReady): the members come up one after the other, then recover
# together.
set -euo pipefail

DATADIR=${GALERA_DATADIR:-/var/lib/mysql}
DEFAULTS=${GALERA_DEFAULTS_FILE:-/etc/galera-gitops/galera.cnf}
CLUSTER_CNF=${GALERA_CLUSTER_CNF:-/etc/galera-gitops-cluster/cluster.cnf}
RUNTIME=${GALERA_RUNTIME_DIR:-/run/galera-gitops}
GROUP_PORT=${GALERA_GROUP_PORT:-4567}
ELECTION_PORT=${GALERA_ELECTION_PORT:-3307}
MEMBER=${GALERA_MEMBER:-$HOSTNAME}
ORDINAL=${MEMBER##*-}
SERVER=${GALERA_SERVER:-$(command -v mariadbd || command -v mysqld)}
CLIENT=${GALERA_CLIENT:-$(command -v mariadb || command -v mysql)}

log() { echo "galera-gitops start: $*" >&2; }
phase() { echo "$1" > "$RUNTIME/phase"; log "$1"; }

mkdir -p "$RUNTIME" "$DATADIR"
rm -f "$RUNTIME/recovering"

# The peers, in ordinal order, from wsrep_cluster_address = gcomm://h0,h1,...
ADDRESS=$(sed -n 's/^[[:space:]]*wsrep_cluster_address[[:space:]]*=[[:space:]]*//p' "$CLUSTER_CNF" | tail -n 1)
IFS=',' read -r -a HOSTS <<< "${ADDRESS#gcomm://}"
SELF=${HOSTS[$ORDINAL]:-}
[ -n "$SELF" ] || { log "ordinal $ORDINAL is not in $ADDRESS: regenerate the overlay for this size"; exit 1; }

# This member's option file: the shared settings (ConfigMap), then what only start-up
# knows: the member list, who this member is, and the state-transfer password (from the
# Secret; the file is readable by this user only and lives in a memory-backed volume).
# GALERA_EXTRA_CNF, when set, is read last and may override anything.
umask 077
MYCNF=$RUNTIME/my.cnf
{
  echo "!include $DEFAULTS"
  echo "[mysqld]"
  echo "datadir=$DATADIR"
  echo "wsrep_cluster_address=$ADDRESS"
  echo "wsrep_node_name=$MEMBER"
  echo "wsrep_node_address=$SELF"
  if [ -n "${GALERA_SST_PASSWORD:-}" ]; then echo "wsrep_sst_auth=sst:$GALERA_SST_PASSWORD"; fi
  if [ -n "${GALERA_EXTRA_CNF:-}" ]; then echo "!include $GALERA_EXTRA_CNF"; fi
} > "$MYCNF"

reachable() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

peer_up() {
  local host
  for host in "${HOSTS[@]}"; do
    [ "$host" = "$SELF" ] && continue
    if reachable "$host" "$GROUP_PORT"; then return 0; fi
  done
  return 1
}

grastate() { sed -n "s/^$1:[[:space:]]*//p" "$DATADIR/grastate.dat" 2>/dev/null | tail -n 1; }

serve() {
  local start=()
  if [ -n "$START_POSITION" ] && [ "$(grastate seqno)" = "-1" ]; then start=(--wsrep-start-position="$START_POSITION"); fi
  phase "server $* ${start[*]}"
  exec "$SERVER" --defaults-extra-file="$MYCNF" "$@" "${start[@]}"
}

# A first start: create the system tables, the root password and the state-transfer user
# with a temporary server that has no network and no replication.
initialise() {
  phase "initialise"
  if "$SERVER" --version | grep -qi mariadb; then
    "$(command -v mariadb-install-db || command -v mysql_install_db)" --defaults-extra-file="$MYCNF" --datadir="$DATADIR" --auth-root-authentication-method=normal --skip-test-db >/dev/null
  else
    "$SERVER" --defaults-extra-file="$MYCNF" --initialize-insecure --datadir="$DATADIR"
  fi
  "$SERVER" --defaults-extra-file="$MYCNF" --datadir="$DATADIR" --skip-networking --wsrep-on=OFF --wsrep-provider=none --socket="$RUNTIME/init.sock" --pid-file="$RUNTIME/init.pid" &
  local pid=$! i
  for i in $(seq 1 60); do "$CLIENT" --socket="$RUNTIME/init.sock" -uroot -e 'SELECT 1' >/dev/null 2>&1 && break; sleep 1; done
  {
    echo "CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY '${MYSQL_ROOT_PASSWORD//\'/\'\'}';"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [ -n "${GALERA_SST_PASSWORD:-}" ]; then
      echo "CREATE USER IF NOT EXISTS 'sst'@'localhost' IDENTIFIED BY '${GALERA_SST_PASSWORD//\'/\'\'}';"
      echo "GRANT RELOAD, PROCESS, LOCK TABLES, REPLICATION CLIENT ON *.* TO 'sst'@'localhost';"
    fi
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '${MYSQL_ROOT_PASSWORD//\'/\'\'}';"
    echo "FLUSH PRIVILEGES;"
  } | "$CLIENT" --socket="$RUNTIME/init.sock" -uroot
  kill "$pid"
  wait "$pid" || true
}

# The last committed position (uuid:seqno). After a crash grastate.dat says seqno -1 and
# the position is recovered from InnoDB with --wsrep-recover; the server is then started
# from it (as MariaDB's galera_recovery does), so a member that is only behind gets an
# incremental transfer instead of a full one.
START_POSITION=""
recover_position() {
  local uuid seqno
  uuid=$(grastate uuid)
  seqno=$(grastate seqno)
  if [ -n "$uuid" ] && [ "$seqno" = "-1" ]; then
    phase "recover position"
    "$SERVER" --defaults-extra-file="$MYCNF" --wsrep-recover --log-error="$RUNTIME/recover.log" --socket="$RUNTIME/recover.sock" --pid-file="$RUNTIME/recover.pid" >/dev/null 2>&1 || true
    START_POSITION=$(sed -n 's/.*Recovered position:[[:space:]]*\([-0-9a-f]*:-\{0,1\}[0-9]*\).*/\1/p' "$RUNTIME/recover.log" | tail -n 1)
    [ -n "$START_POSITION" ] && log "recovered position $START_POSITION"
  elif [ -n "$uuid" ]; then
    START_POSITION="$uuid:$seqno"
  fi
}

seqno_of() { local position=${1:-}; [ -n "$position" ] && echo "${position##*:}" || echo -1; }

# Every member publishes its seqno on a read-only server without replication (report_host
# carries it) and reads the others'; the highest seqno, then the lowest ordinal, wins.
elect() {
  local own=$1
  phase "elect (seqno $own)"
  "$SERVER" --defaults-extra-file="$MYCNF" --datadir="$DATADIR" --wsrep-on=OFF --wsrep-provider=none --read-only --skip-slave-start \
    --bind-address="${GALERA_ELECTION_BIND:-0.0.0.0}" --port="$ELECTION_PORT" --socket="$RUNTIME/elect.sock" \
    --pid-file="$RUNTIME/elect.pid" --report-host="galera-gitops-seqno:$own" --log-error="$RUNTIME/elect.log" &
  local pid=$! best=$own winner=$ORDINAL i host seqno known
  while true; do
    if peer_up; then kill "$pid"; wait "$pid" || true; return 1; fi
    known=0 best=$own winner=$ORDINAL
    for i in "${!HOSTS[@]}"; do
      host=${HOSTS[$i]}
      [ "$host" = "$SELF" ] && { known=$((known + 1)); continue; }
      seqno=$(MYSQL_PWD="$MYSQL_ROOT_PASSWORD" "$CLIENT" -h "$host" -P "$ELECTION_PORT" -uroot -N -s --connect-timeout=2 \
        -e "SELECT @@report_host" 2>/dev/null | sed -n 's/^galera-gitops-seqno://p' || true)
      [ -n "$seqno" ] || continue
      known=$((known + 1))
      if [ "$seqno" -gt "$best" ] || { [ "$seqno" -eq "$best" ] && [ "$i" -lt "$winner" ]; }; then best=$seqno winner=$i; fi
    done
    if [ "$known" -eq "${#HOSTS[@]}" ]; then
      log "all ${#HOSTS[@]} members reported; member $winner has the highest seqno ($best)"
      if [ "$winner" = "$ORDINAL" ]; then kill "$pid"; wait "$pid" || true; return 0; fi
      # Keep publishing until the winner's group port is up: members still counting
      # must see every report, or they would wait forever.
      until peer_up; do sleep 2; done
      kill "$pid"; wait "$pid" || true
      return 1
    fi
    sleep 5
  done
}

wait_for_peer() {
  phase "wait for a peer"
  until peer_up; do sleep 5; done
}

if [ -d "$DATADIR/mysql" ]; then recover_position; fi

# A saved view means this member crashed inside a primary component. If the whole cluster
# went down, that component only comes back once all its members are up again, so count
# as recovering (see probe.sh) even when joining a peer: the peer may be waiting too.
if [ -f "$DATADIR/gvwstate.dat" ]; then touch "$RUNTIME/recovering"; fi

if peer_up; then
  serve
fi

if [ ! -d "$DATADIR/mysql" ]; then
  if [ "$ORDINAL" = "0" ]; then
    initialise
    serve --wsrep-new-cluster
  fi
  wait_for_peer
  serve
fi

if [ "$(grastate safe_to_bootstrap)" = "1" ]; then
  serve --wsrep-new-cluster
fi

touch "$RUNTIME/recovering"
if [ -f "$DATADIR/gvwstate.dat" ]; then
  phase "restore the last primary component"
  serve
fi

if elect "$(seqno_of "$START_POSITION")"; then
  sed -i 's/^safe_to_bootstrap:.*/safe_to_bootstrap: 1/' "$DATADIR/grastate.dat"
  serve --wsrep-new-cluster
fi
serve
