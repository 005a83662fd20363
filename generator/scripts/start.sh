#!/bin/bash
# Galera member start-up (galera-gitops): the container's command. It decides how this
# member starts, then execs the server. docs/recovery.md explains the model.
#
#   join       a peer is Primary: check that this member's history (state UUID, seqno)
#              belongs to that cluster, then join it (IST, or SST when it has no data)
#   bootstrap  no Primary anywhere, and this member stopped last after a clean full stop
#              (safe_to_bootstrap: 1): it bootstraps from its data at once
#   elect      no Primary anywhere: every member publishes its history on the election
#              port, a member with no data too (seqno -1). Once every expected member has
#              reported, the most advanced one (highest seqno, lowest ordinal on a tie)
#              bootstraps and the others join it. When every member reports no data, this is
#              a new cluster: ordinal 0 initialises it.
#
# A member never starts a new cluster while another may hold data, and never lets Galera
# replace its data with an unrelated history, unless the environment's ConfigMap says so
# (recover-without, discard-data-of). While the election runs the member counts as Ready
# (probe.sh), so that OrderedReady creates the members the election waits for.
set -euo pipefail

SOURCE=${GALERA_CONFIG_DIR:-/etc/galera-gitops}
RUNTIME=${GALERA_RUNTIME_DIR:-/run/galera-gitops}
SCRIPTS=$RUNTIME/scripts

# --- Snapshot: this container runs one version of the scripts and settings ---------
# The ConfigMap volume changes under a running pod; probes run the copy made here, so a
# member never mixes old and new scripts (a change rolls the pods: the template carries
# the configuration's hash).
snapshot=$SOURCE
[ -d "$SOURCE/..data" ] && snapshot=$(readlink -f "$SOURCE/..data")
rm -rf "$SCRIPTS"
mkdir -p "$SCRIPTS"
cp "$snapshot"/*.sh "$snapshot"/*.cnf "$SCRIPTS/"
# The environment's settings (size, provider options, the spec's own), read once too.
settings=${GALERA_CLUSTER_DIR:-/etc/galera-gitops-cluster}/settings.cnf
if [ -r "$settings" ]; then cp "$settings" "$SCRIPTS/settings.cnf"; fi
chmod 0755 "$SCRIPTS"/*
if [ -e "/proc/$$/fd/255" ] && ! cmp -s "/proc/$$/fd/255" "$SCRIPTS/start.sh"; then
  echo "galera-gitops start: the configuration changed while this container started; restarting to run one version" >&2
  exit 1
fi
# shellcheck source=lib.sh
. "$SCRIPTS/lib.sh"
# shellcheck source=datadir.sh
. "$SCRIPTS/datadir.sh"

# Encryption on (the certificate is mounted): MariaDB's encrypted state transfer checks the
# certificates with the openssl utility, on the donor and the joiner. Without it every state
# transfer fails, so the image is refused now rather than at the first lost volume.
if grep -q '^ssl-mode=' "$SCRIPTS/settings.cnf" 2>/dev/null && ! command -v openssl >/dev/null; then
  log "encryption is on, but this image has no openssl utility, which encrypted state transfers need: use an image that has it (the official mariadb image does)"
  exit 1
fi

# --- Signals: every phase ends promptly on SIGTERM, stopping what it started ----------
CHILD="" ELECTION_SERVER="" INIT_SERVER=""
on_term() {
  log "SIGTERM during '$(cat "$RUNTIME/phase" 2>/dev/null || echo start)': stopping"
  for pid in $CHILD $ELECTION_SERVER $INIT_SERVER; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in $CHILD $ELECTION_SERVER $INIT_SERVER; do wait "$pid" 2>/dev/null || true; done
  exit 143
}
trap on_term TERM INT
# Runs a command in the background and waits for it, so that SIGTERM is handled at once.
child() {
  "$@" &
  CHILD=$!
  local status=0
  wait "$CHILD" || status=$?
  CHILD=""
  return "$status"
}
pause() { child sleep "$1" || true; }
phase() { echo "$1" > "$RUNTIME/phase"; log "$1"; }

# Logs `message` when it differs from the last one or once a minute (waiting loops).
LAST_NOTE="" LAST_NOTE_AT=0
note() {
  local now
  now=$(date +%s)
  if [ "$1" != "$LAST_NOTE" ] || [ $(( now - LAST_NOTE_AT )) -ge 60 ]; then log "$1"; LAST_NOTE=$1 LAST_NOTE_AT=$now; fi
}

# --- This member's history -------------------------------------------------------------
# The election port answers from the start (state "recovering"), so that peers count this
# member as present while it reads its own position.
REPORT=$RUNTIME/report
HISTORY_UUID="" HISTORY_SEQNO=-1 START_POSITION=""
publish() {
  local data=no
  has_data && data=yes
  echo "member=$MEMBER state=$1 data=$data uuid=${HISTORY_UUID:--} seqno=$HISTORY_SEQNO members=$(expected_members)" > "$REPORT.tmp"
  mv "$REPORT.tmp" "$REPORT"
  if [ -z "$ELECTION_SERVER" ]; then
    socat -T 2 "TCP-LISTEN:$ELECTION_PORT,reuseaddr,fork" "SYSTEM:cat $REPORT" 2>/dev/null &
    ELECTION_SERVER=$!
  fi
}

# After a crash grastate.dat says seqno -1: the position is recovered from InnoDB with
# --wsrep-recover, and the server started from it (as MariaDB's galera_recovery does), so
# a member that is only behind gets an incremental transfer instead of a full one.
recover_position() {
  HISTORY_UUID=$(grastate uuid)
  HISTORY_SEQNO=$(grastate seqno)
  HISTORY_SEQNO=${HISTORY_SEQNO:--1}
  [ -d "$DATADIR/mysql" ] || return 0
  [ -e "$DATADIR/sst_in_progress" ] && { log "a state transfer into this member was interrupted: its data directory is not a usable copy"; return 0; }
  [ "$HISTORY_SEQNO" = "-1" ] || return 0
  phase "recover position"
  child "$SERVER" --defaults-extra-file="$MYCNF" --wsrep-recover --log-error="$RUNTIME/recover.log" --socket="$RUNTIME/recover.sock" --pid-file="$RUNTIME/recover.pid" >/dev/null 2>&1 || true
  local position
  position=$(sed -n 's/.*Recovered position:[[:space:]]*\([-0-9a-f]*:-\{0,1\}[0-9]*\).*/\1/p' "$RUNTIME/recover.log" | tail -n 1)
  if [ -n "$position" ] && [ "${position%:*}" != "$NO_UUID" ]; then
    HISTORY_UUID=${position%:*} HISTORY_SEQNO=${position##*:} START_POSITION=$position
    log "recovered position $position"
  fi
}

# --- Peers -------------------------------------------------------------------------------
# A Primary peer, with the history of the cluster it belongs to: PRIMARY_PEER, GROUP_UUID,
# GROUP_SEQNO. Returns 1 when no peer is Primary.
PRIMARY_PEER="" GROUP_UUID="" GROUP_SEQNO=""
primary_peer() {
  local i host values
  for (( i = 0; i < $(expected_members); i++ )); do
    [ "$i" = "$ORDINAL" ] && continue
    host=$(peer_host "$i")
    resolves "$host" && reachable "$host" "$GROUP_PORT" || continue
    values=$(peer_sql "$host" "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_cluster_status', 'wsrep_cluster_state_uuid', 'wsrep_last_committed')" | awk '{printf "%s=%s ", $1, $2}')
    [[ "$values" == *wsrep_cluster_status=Primary* ]] || continue
    PRIMARY_PEER=$host
    GROUP_UUID=$(sed -n 's/.*wsrep_cluster_state_uuid=\([^ ]*\).*/\1/p' <<< "$values")
    GROUP_SEQNO=$(sed -n 's/.*wsrep_last_committed=\([^ ]*\).*/\1/p' <<< "$values")
    return 0
  done
  return 1
}

# May this member join the Primary cluster found by primary_peer? Not when Galera would
# replace data the cluster does not have: an unrelated history, or transactions past the
# cluster's position (it was bootstrapped from a less advanced member).
may_join() {
  has_data || return 0
  local problem=""
  if listed_in recover-without "$MEMBER"; then
    problem="the cluster was recovered without it (recover-without lists it), so its data may hold transactions the running cluster does not have"
  elif [ "$HISTORY_UUID" != "$GROUP_UUID" ]; then
    problem="its history $HISTORY_UUID:$HISTORY_SEQNO is unrelated to the running cluster's $GROUP_UUID:$GROUP_SEQNO (on $PRIMARY_PEER)"
  elif [ "$HISTORY_SEQNO" -gt "$GROUP_SEQNO" ]; then
    problem="it holds transactions up to $HISTORY_UUID:$HISTORY_SEQNO, past the running cluster's $GROUP_UUID:$GROUP_SEQNO (on $PRIMARY_PEER)"
  else
    return 0
  fi
  if listed_in discard-data-of "$MEMBER"; then
    log "$MEMBER: $problem; discarding this member's data as discard-data-of says, and joining by a full state transfer"
    rm -f "$DATADIR/grastate.dat" "$DATADIR/gvwstate.dat"
    HISTORY_UUID="" HISTORY_SEQNO=-1 START_POSITION=""
    return 0
  fi
  phase "refuse to join"
  note "$MEMBER will not join: $problem, and Galera would replace this member's data. Not Ready until resolved: if that data may go, list $MEMBER under recovery.discardDataOf for this environment (docs/recovery.md)"
  return 1
}

any_group_up() {
  local i host
  for (( i = 0; i < $(expected_members); i++ )); do
    [ "$i" = "$ORDINAL" ] && continue
    host=$(peer_host "$i")
    resolves "$host" && reachable "$host" "$GROUP_PORT" && return 0
  done
  return 1
}

# After an election the members join one at a time, in ordinal order: several state
# transfers at once right after a bootstrap make Galera 26.4 fail an IST ("IST didn't
# contain all write sets"). Is every lower member that will join already Synced?
previous_synced() {
  local j state
  for (( j = ORDINAL - 1; j >= 0; j-- )); do
    [ "$j" = "$WINNER" ] && return 0
    listed_in recover-without "$STATEFULSET-$j" && continue
    state=$(peer_sql "$(peer_host "$j")" "SHOW GLOBAL STATUS LIKE 'wsrep_local_state'" | awk '{print $2}')
    [ "$state" = "4" ] && return 0
    note "joining after $STATEFULSET-$j is Synced (one state transfer at a time)"
    return 1
  done
  return 0
}

# --- Election ----------------------------------------------------------------------------
# One round: read every expected member's report; refresh the recovery window (probe.sh)
# when no existing peer is unreachable; set WINNER (an ordinal) once every member has reported.
WINNER=""
election_round() {
  local reported_members=() reports=() missing=() i host report status peers_ok=1
  for (( i = 0; i < $(expected_members "${reported_members[@]}"); i++ )); do
    if [ "$i" = "$ORDINAL" ]; then reports+=("$(cat "$REPORT")"); continue; fi
    host=$(peer_host "$i")
    report="" status=0
    if resolves "$host"; then
      report=$(timeout 3 bash -c "exec 3<>/dev/tcp/$host/$ELECTION_PORT && cat <&3" 2>/dev/null) || status=$?
      # 124: no answer at all (a partition, or a dead node); a refused connection is a
      # member that exists but has not started its election port yet.
      [ "$status" = "124" ] && peers_ok=0
    fi
    if [[ "$report" == member=*state=elect* ]]; then
      reports+=("$report")
      reported_members+=("$(sed -n 's/.* members=\([0-9]*\).*/\1/p' <<< "$report")")
    elif listed_in recover-without "$STATEFULSET-$i"; then
      note "election: proceeding without $STATEFULSET-$i, as recover-without says"
    else
      missing+=("$STATEFULSET-$i")
    fi
  done
  # The governing Service always lists this member (it publishes not-ready addresses): when
  # it does not resolve, cluster DNS is out of reach and "a peer does not exist" means nothing.
  resolves "$PEER_DOMAIN" || peers_ok=0
  [ "$peers_ok" = "1" ] && touch "$RUNTIME/recovery-window"
  if [ ${#missing[@]} -gt 0 ]; then
    note "election: waiting for ${missing[*]} (${#reports[@]} of $(( ${#reports[@]} + ${#missing[@]} )) members reported). If a member is gone for good with its data, list it under recovery.recoverWithout for this environment (docs/recovery.md)"
    return 1
  fi
  local uuids
  uuids=$(printf '%s\n' "${reports[@]}" | sed -n 's/.* data=yes uuid=\([^ ]*\).*/\1/p' | sort -u)
  if [ "$(printf '%s' "$uuids" | grep -c .)" -gt 1 ]; then
    note "election: members hold unrelated histories ($(printf '%s\n' "${reports[@]}" | sed -n 's/^member=\([^ ]*\).* data=yes uuid=\([^ ]*\) seqno=\([^ ]*\).*/\1 \2:\3/p' | paste -sd ',' -)); nothing bootstraps until recovery.discardDataOf names the members whose data may go (docs/recovery.md)"
    return 1
  fi
  # The winner: the highest seqno among members with data (lowest ordinal on a tie); with
  # no data anywhere, a new cluster, started by the lowest ordinal.
  WINNER=$(printf '%s\n' "${reports[@]}" | awk '{
      for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
      n = f["member"]; sub(/.*-/, "", n); rank = (f["data"] == "yes") ? f["seqno"] + 2 : 0
      if (best == "" || rank > bestRank || (rank == bestRank && n + 0 < best + 0)) { best = n; bestRank = rank }
    } END { print best }')
}

# --- Serving -------------------------------------------------------------------------------
write_options() {
  local i hosts=()
  for (( i = 0; i < $(expected_members); i++ )); do hosts+=("$(peer_host "$i")"); done
  umask 077
  {
    echo "!include $SCRIPTS/galera.cnf"
    if [ -r "$SCRIPTS/settings.cnf" ]; then echo "!include $SCRIPTS/settings.cnf"; fi
    echo "[mysqld]"
    echo "datadir=$DATADIR"
    echo "wsrep_cluster_address=gcomm://$(IFS=,; echo "${hosts[*]}")"
    echo "wsrep_node_name=$MEMBER"
    echo "wsrep_node_address=$(peer_host "$ORDINAL")"
    # MariaDB's mariabackup logs in as the server's OS user through the socket (no password
    # to rotate); Percona XtraDB Cluster 8 manages its own SST account.
    if [ "${GALERA_FLAVOR:-mariadb}" = "mariadb" ]; then echo "wsrep_sst_auth=$(id -un):"; fi
    if [ -n "${GALERA_EXTRA_CNF:-}" ]; then echo "!include $GALERA_EXTRA_CNF"; fi
  } > "$MYCNF"
  umask 022
}

serve() {
  local start=()
  if [ -n "$START_POSITION" ] && [ "$(grastate seqno)" = "-1" ]; then start=(--wsrep-start-position="$START_POSITION"); fi
  write_options
  if has_data; then upgrade_if_needed; fi
  if [ -n "$ELECTION_SERVER" ]; then kill -TERM "$ELECTION_SERVER" 2>/dev/null || true; wait "$ELECTION_SERVER" 2>/dev/null || true; fi
  phase "server $* ${start[*]}"
  exec "$SERVER" --defaults-extra-file="$MYCNF" "$@" "${start[@]}"
}

bootstrap() {
  # A last look: a member that decided otherwise may have bootstrapped meanwhile.
  primary_peer && return 0
  if has_data; then
    log "bootstrapping the cluster from this member's data ($HISTORY_UUID:$HISTORY_SEQNO)"
    sed -i 's/^safe_to_bootstrap:.*/safe_to_bootstrap: 1/' "$DATADIR/grastate.dat"
  else
    initialise
  fi
  serve --wsrep-new-cluster
}

# --- Main ------------------------------------------------------------------------------------
rm -f "$RUNTIME/recovery-window" "$RUNTIME/unsynced-since" "$RUNTIME/answered" "$RUNTIME/credentials"
write_options
publish recovering
recover_position
while true; do
  if primary_peer; then
    if [ -n "$WINNER" ] && ! previous_synced; then
      [ "$(cat "$RUNTIME/phase")" = "join" ] || phase "join"
    elif may_join; then
      serve
    fi
  elif has_data && [ "$(grastate safe_to_bootstrap)" = "1" ] && ! any_group_up; then
    log "this member stopped last after a clean full stop (safe_to_bootstrap: 1)"
    bootstrap
  else
    [ "$(cat "$RUNTIME/phase" 2>/dev/null)" = "elect" ] || phase "elect"
    publish elect
    if election_round && [ -n "$WINNER" ]; then
      if [ "$WINNER" = "$ORDINAL" ]; then
        log "election: every member reported; this member is the most advanced"
        bootstrap
      else
        note "election: every member reported; $STATEFULSET-$WINNER is the most advanced, waiting for it to bootstrap"
      fi
    fi
  fi
  pause 2
done
