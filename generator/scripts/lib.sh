#!/bin/bash
# Shared by start.sh and probe.sh (galera-gitops): where things are, who the peers are,
# what this member's data says. Sourced, never run.

DATADIR=${GALERA_DATADIR:-/var/lib/mysql}
CONFIG_DIR=${GALERA_CONFIG_DIR:-/etc/galera-gitops}
# The environment's ConfigMap: `members` (the size the environment was generated for) and
# the operator's recovery overrides, read again at every step so that a change synced from
# git reaches a waiting member without a restart.
CLUSTER_DIR=${GALERA_CLUSTER_DIR:-/etc/galera-gitops-cluster}
RUNTIME=${GALERA_RUNTIME_DIR:-/run/galera-gitops}
GROUP_PORT=${GALERA_GROUP_PORT:-4567}
ELECTION_PORT=${GALERA_ELECTION_PORT:-3307}
MEMBER=${GALERA_MEMBER:-$HOSTNAME}
ORDINAL=${MEMBER##*-}
STATEFULSET=${MEMBER%-*}
# Peers are found by name through the governing Service (it publishes not-ready
# addresses): <statefulset>-<ordinal>.<service>.<namespace>.svc.
PEER_DOMAIN=${GALERA_PEER_DOMAIN:-${GALERA_PEERS_SERVICE:-$STATEFULSET-peers}.${POD_NAMESPACE:-default}.svc}
# Where a member keeps the cluster size it last saw while Synced (see probe.sh).
MEMBERS_SEEN=$DATADIR/galera-gitops.members
CLIENT=${GALERA_CLIENT:-$(command -v mariadb || command -v mysql)}
SERVER=${GALERA_SERVER:-$(command -v mariadbd || command -v mysqld)}
MYCNF=$RUNTIME/my.cnf
NO_UUID=00000000-0000-0000-0000-000000000000

log() { echo "galera-gitops $(basename "$0" .sh): $*" >&2; }

peer_host() { echo "$STATEFULSET-$1.$PEER_DOMAIN"; }

# The value of one key of the environment's ConfigMap ("" when absent).
cluster_setting() { cat "$CLUSTER_DIR/$1" 2>/dev/null || true; }

# Is `member` named in the list under ConfigMap key `key` (comma or space separated)?
listed_in() {
  local key=$1 member=$2 item
  for item in $(cluster_setting "$key" | tr ',' ' '); do [ "$item" = "$member" ] && return 0; done
  return 1
}

# The number of members this member must expect: the environment's size, the size this
# member last saw while Synced, and any larger number a peer reported (`kubectl scale`
# can grow a cluster beyond what git says). Never fewer than its own ordinal + 1.
expected_members() {
  local n=$(( ORDINAL + 1 )) value
  for value in "$(cluster_setting members)" "$(cat "$MEMBERS_SEEN" 2>/dev/null)" "$@"; do
    [[ "$value" =~ ^[0-9]+$ ]] && [ "$value" -gt "$n" ] && n=$value
  done
  echo "$n"
}

# Name lookups are bounded: a member cut off from the network cannot reach cluster DNS.
resolves() { timeout 3 getent hosts "$1" >/dev/null 2>&1; }
reachable() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

# The least-privileged account of probes on peers, the exporter and the election
# (status only); root only where a data directory predates it.
MONITOR_USER=${GALERA_MONITOR_USER:-galera_monitor}
# MariaDB and Percona XtraDB Cluster 8 (MySQL 8) spell two things differently: socket
# authentication, and the privilege that shows replication status.
if [ "${GALERA_FLAVOR:-mariadb}" = "mariadb" ]; then
  SOCKET_AUTH="IDENTIFIED VIA unix_socket" MONITOR_GRANTS="PROCESS, REPLICATION CLIENT, SLAVE MONITOR"
else
  SOCKET_AUTH="IDENTIFIED WITH auth_socket" MONITOR_GRANTS="PROCESS, REPLICATION CLIENT"
fi

# Status of a peer's server, over the network.
peer_sql() {
  if [ -n "${GALERA_MONITOR_PASSWORD:-}" ] && MYSQL_PWD="$GALERA_MONITOR_PASSWORD" "$CLIENT" -h "$1" -P 3306 -u"$MONITOR_USER" -N -s --connect-timeout=2 -e "$2" 2>/dev/null; then return 0; fi
  MYSQL_PWD="${MYSQL_ROOT_PASSWORD:-}" "$CLIENT" -h "$1" -P 3306 -uroot -N -s --connect-timeout=2 -e "$2" 2>/dev/null
}

# SQL on this member's own server through its socket, as the OS user the server runs as
# (unix_socket authentication: no password, so rotating a Secret never locks the probes or
# start-up out); a data directory made before that account existed falls back to root.
local_sql() {
  local options=()
  [ -r "$MYCNF" ] && options=(--defaults-extra-file="$MYCNF")
  if "$CLIENT" "${options[@]}" -u"$(id -un)" -N -s --connect-timeout=2 -e "$1" 2>/dev/null; then return 0; fi
  MYSQL_PWD="${MYSQL_ROOT_PASSWORD:-}" "$CLIENT" "${options[@]}" -uroot -N -s --connect-timeout=2 -e "$1" 2>/dev/null
}

quote() { printf "'%s'" "${1//\'/\'\'}"; }

# The accounts whose passwords live in Secrets, set from the values this container started
# with, once per start (probe.sh, on the first Synced readiness): a rotation is a change of
# the Secret and a rolling restart. Galera replicates account statements to every member.
apply_credentials() {
  {
    if [ -n "${MYSQL_ROOT_PASSWORD:-}" ]; then
      echo "CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY $(quote "$MYSQL_ROOT_PASSWORD");"
      echo "ALTER USER 'root'@'%' IDENTIFIED BY $(quote "$MYSQL_ROOT_PASSWORD");"
      echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
      echo "ALTER USER 'root'@'localhost' IDENTIFIED BY $(quote "$MYSQL_ROOT_PASSWORD");"
    fi
    if [ -n "${GALERA_MONITOR_PASSWORD:-}" ]; then
      echo "CREATE USER IF NOT EXISTS '$MONITOR_USER'@'%' IDENTIFIED BY $(quote "$GALERA_MONITOR_PASSWORD");"
      echo "ALTER USER '$MONITOR_USER'@'%' IDENTIFIED BY $(quote "$GALERA_MONITOR_PASSWORD");"
      echo "GRANT $MONITOR_GRANTS ON *.* TO '$MONITOR_USER'@'%';"
      echo "GRANT SELECT ON performance_schema.* TO '$MONITOR_USER'@'%';"
    fi
    if [ -n "${GALERA_APP_USER:-}" ] && [ -n "${GALERA_APP_PASSWORD:-}" ]; then
      echo "CREATE DATABASE IF NOT EXISTS \`${GALERA_APP_DATABASE:-$GALERA_APP_USER}\`;"
      echo "CREATE USER IF NOT EXISTS $(quote "$GALERA_APP_USER")@'%' IDENTIFIED BY $(quote "$GALERA_APP_PASSWORD");"
      echo "ALTER USER $(quote "$GALERA_APP_USER")@'%' IDENTIFIED BY $(quote "$GALERA_APP_PASSWORD");"
      echo "GRANT ALL ON \`${GALERA_APP_DATABASE:-$GALERA_APP_USER}\`.* TO $(quote "$GALERA_APP_USER")@'%';"
    fi
  } | admin_sql
}

# Account statements (stdin) through the socket as the server's OS user; a data directory
# made before that account existed gets it now, through root.
admin_sql() {
  local sql
  sql="CREATE USER IF NOT EXISTS '$(id -un)'@'localhost' $SOCKET_AUTH; GRANT ALL ON *.* TO '$(id -un)'@'localhost' WITH GRANT OPTION; $(cat)"
  if "$CLIENT" --defaults-extra-file="$MYCNF" -u"$(id -un)" <<< "$sql" 2>/dev/null; then return 0; fi
  MYSQL_PWD="${MYSQL_ROOT_PASSWORD:-}" "$CLIENT" --defaults-extra-file="$MYCNF" -uroot <<< "$sql"
}

# grastate.dat fields (uuid, seqno, safe_to_bootstrap), "" when absent.
grastate() {
  [ -f "$DATADIR/grastate.dat" ] || return 0
  sed -n "s/^$1:[[:space:]]*//p" "$DATADIR/grastate.dat" | tail -n 1
}

# A data directory counts as data only when it has a history: a state UUID. A first
# start interrupted before the cluster was bootstrapped, or a state transfer interrupted
# half way (sst_in_progress), leaves files but no history to protect.
has_data() {
  [ -d "$DATADIR/mysql" ] && [ ! -e "$DATADIR/sst_in_progress" ] && [ -n "$HISTORY_UUID" ] && [ "$HISTORY_UUID" != "$NO_UUID" ]
}

sst_in_progress() {
  [ -e "$DATADIR/sst_in_progress" ] && return 0
  grep -qs -e wsrep_sst_ /proc/[0-9]*/cmdline
}
