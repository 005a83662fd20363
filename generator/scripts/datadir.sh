#!/bin/bash
# Work on this member's data directory with a temporary server that has no network and no
# replication (galera-gitops): making a new cluster's system tables and accounts, and
# upgrading them after the image's server version changed. Sourced by start.sh.

is_mariadb() { "$SERVER" --version | grep -qi mariadb; }

# The server's version, as x.y.z.
server_version() { "$SERVER" --version | grep -o '[0-9]*\.[0-9]*\.[0-9]*' | head -n 1; }

# Runs `command` (the client, mariadb-upgrade) against the temporary server as INIT_LOGIN:
# the server's OS user (unix_socket), root without a password (right after
# initialisation), or root with the Secret's password (a data directory made before the
# OS user's account existed). The password travels in the environment, not in arguments.
as_init_login() {
  local command=$1; shift
  case $INIT_LOGIN in
    os) "$command" --socket="$RUNTIME/init.sock" -u"$(id -un)" "$@" ;;
    root) "$command" --socket="$RUNTIME/init.sock" -uroot "$@" ;;
    password) MYSQL_PWD="${MYSQL_ROOT_PASSWORD:-}" "$command" --socket="$RUNTIME/init.sock" -uroot "$@" ;;
  esac
}

# Starts the temporary server on its own socket and waits until one login works.
local_server_start() {
  "$SERVER" --defaults-extra-file="$MYCNF" --datadir="$DATADIR" --skip-networking --wsrep-on=OFF --wsrep-provider=none --socket="$RUNTIME/init.sock" --pid-file="$RUNTIME/init.pid" &
  INIT_SERVER=$!
  local i
  for i in $(seq 1 120); do
    for INIT_LOGIN in os root password; do
      as_init_login "$CLIENT" -e 'SELECT 1' >/dev/null 2>&1 && return 0
    done
    kill -0 "$INIT_SERVER" 2>/dev/null || { log "the temporary server exited; its log is above"; exit 1; }
    pause 1
  done
  log "the temporary server did not accept a login in 120 s"
  exit 1
}

local_server_stop() {
  kill "$INIT_SERVER"
  wait "$INIT_SERVER" || true
  INIT_SERVER=""
}

# A new cluster: system tables, the root password and the state-transfer user, made by a
# temporary server without network or replication.
initialise() {
  phase "initialise"
  if [ -n "$(ls -A "$DATADIR" 2>/dev/null | grep -v '^lost+found$')" ]; then
    log "the data directory holds files but no history (an interrupted first start): starting it afresh"
    find "$DATADIR" -mindepth 1 -maxdepth 1 ! -name lost+found -exec rm -rf {} +
  fi
  if is_mariadb; then
    child "$(command -v mariadb-install-db || command -v mysql_install_db)" --defaults-extra-file="$MYCNF" --datadir="$DATADIR" --auth-root-authentication-method=normal --skip-test-db >/dev/null
  else
    child "$SERVER" --defaults-extra-file="$MYCNF" --initialize-insecure --datadir="$DATADIR"
  fi
  local_server_start
  {
    # Start-up, probes and state transfers use the server's OS user through the socket.
    echo "CREATE USER IF NOT EXISTS '$(id -un)'@'localhost' $SOCKET_AUTH;"
    echo "GRANT ALL ON *.* TO '$(id -un)'@'localhost' WITH GRANT OPTION;"
    echo "CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY $(quote "$MYSQL_ROOT_PASSWORD");"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY $(quote "$MYSQL_ROOT_PASSWORD");"
    echo "FLUSH PRIVILEGES;"
  } | as_init_login "$CLIENT"
  local_server_stop
  # Written as mariadb-upgrade would: this data directory's system tables are the server's.
  if is_mariadb; then echo "$(server_version)-MariaDB" > "$DATADIR/mysql_upgrade_info"; fi
}

# --- Upgrade ---------------------------------------------------------------------------
# The official image's entrypoint runs mariadb-upgrade when the server's major.minor
# version differs from the one recorded in mysql_upgrade_info; start.sh replaces that
# entrypoint, so it does the same before the server joins: on a temporary server without
# network or replication (system tables are each member's own, and every member upgrades
# itself as it restarts on the new image, one at a time). Percona XtraDB Cluster 8 upgrades
# its data dictionary and system tables itself at start (upgrade=AUTO).
upgrade_if_needed() {
  is_mariadb || return 0
  local server recorded
  server=$(server_version)
  recorded=$(grep -o '^[0-9]*\.[0-9]*\.[0-9]*' "$DATADIR/mysql_upgrade_info" 2>/dev/null || true)
  [ "${recorded%.*}" = "${server%.*}" ] && return 0
  phase "upgrade"
  log "the data directory's system tables are from ${recorded:-an unknown version}, the server is $server: running mariadb-upgrade"
  local_server_start
  child as_init_login "$(command -v mariadb-upgrade || command -v mysql_upgrade)" --skip-write-binlog
  local_server_stop
  log "upgrade done: mysql_upgrade_info now says $(cat "$DATADIR/mysql_upgrade_info" 2>/dev/null)"
}
