#!/bin/bash
# Galera member probes (galera-gitops): probe.sh readiness | liveness
#
# readiness  Ready means able to serve: Synced (wsrep_local_state 4), or a donor of a
#            non-blocking state transfer (2), in a Primary component. The one exception is a full-cluster recovery: while start.sh runs
#            the election (no Primary component anywhere) and every peer that exists
#            answers, the member counts as Ready so that OrderedReady creates the members
#            the election waits for. A member whose server does not answer, or that is cut
#            off from its peers, is never Ready.
# liveness   Restarts a server that stopped answering, or that stays outside Synced
#            (neither donor nor joined) with no state transfer in progress for longer than
#            GALERA_STUCK_SECONDS. Start-up phases (election, refusal) and state transfers
#            always pass: a state transfer can take hours.
set -uo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# How long the recovery window stays open after start.sh last saw every existing peer.
WINDOW_SECONDS=10
STUCK_SECONDS=${GALERA_STUCK_SECONDS:-120}
# A server that is starting (InnoDB crash recovery of a large buffer pool) may take a while
# before it answers.
STARTING_SECONDS=${GALERA_STARTING_SECONDS:-600}

phase=$(cat "$RUNTIME/phase" 2>/dev/null || echo "not started")
age() { echo $(( $(date +%s) - $(stat -c %Y "$1" 2>/dev/null || echo 0) )); }

# wsrep_local_state, wsrep_ready, wsrep_cluster_status, wsrep_cluster_size of this member.
read -r STATE READY STATUS SIZE <<< "$(local_sql "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state', 'wsrep_ready', 'wsrep_cluster_status', 'wsrep_cluster_size')" \
  | awk '{ v[$1] = $2 } END { printf "%s %s %s %s", (v["wsrep_local_state"] == "" ? "-" : v["wsrep_local_state"]), (v["wsrep_ready"] == "" ? "-" : v["wsrep_ready"]), (v["wsrep_cluster_status"] == "" ? "-" : v["wsrep_cluster_status"]), (v["wsrep_cluster_size"] == "" ? "-" : v["wsrep_cluster_size"]) }')"

case "${1:-}" in
  readiness)
    case "$phase" in
      server*)
        # Synced, or donating a state transfer: mariabackup and xtrabackup do not block the
        # donor, which keeps serving (wsrep_sst_donor_rejects_queries is OFF).
        if { [ "$STATE" = "4" ] || [ "$STATE" = "2" ]; } && [ "$READY" = "ON" ] && [ "$STATUS" = "Primary" ]; then
          # The cluster size as last seen while Synced: a full-cluster recovery waits for
          # that many members (start.sh, expected_members).
          if [ "$(cat "$MEMBERS_SEEN" 2>/dev/null)" != "$SIZE" ]; then echo "$SIZE" > "$MEMBERS_SEEN.tmp" && mv "$MEMBERS_SEEN.tmp" "$MEMBERS_SEEN"; fi
          # Once per container: the passwords of its Secrets (lib.sh apply_credentials).
          if [ ! -e "$RUNTIME/credentials" ] && apply_credentials > "$RUNTIME/credentials.log" 2>&1; then touch "$RUNTIME/credentials"; fi
          exit 0
        fi
        echo "not Synced: wsrep_local_state $STATE, wsrep_cluster_status $STATUS"
        exit 1
        ;;
      elect)
        if [ -e "$RUNTIME/recovery-window" ] && [ "$(age "$RUNTIME/recovery-window")" -le "$WINDOW_SECONDS" ]; then exit 0; fi
        echo "recovering, but a peer that exists does not answer (cut off?)"
        exit 1
        ;;
      *)
        echo "not serving: $phase"
        exit 1
        ;;
    esac
    ;;
  liveness)
    case "$phase" in server*) ;; *) exit 0 ;; esac
    sst_in_progress && { rm -f "$RUNTIME/unsynced-since"; exit 0; }
    if [ "$STATE" = "-" ]; then
      # No answer: a server still starting is given time; one that stopped answering is not.
      if [ "$(age "$RUNTIME/phase")" -le "$STARTING_SECONDS" ] && [ ! -e "$RUNTIME/answered" ]; then exit 0; fi
      echo "the server does not answer"
      exit 1
    fi
    touch "$RUNTIME/answered"
    case "$STATE" in
      2 | 3 | 4) rm -f "$RUNTIME/unsynced-since"; exit 0 ;;
    esac
    [ -e "$RUNTIME/unsynced-since" ] || touch "$RUNTIME/unsynced-since"
    stuck=$(age "$RUNTIME/unsynced-since")
    if [ "$stuck" -gt "$STUCK_SECONDS" ]; then
      echo "not Synced for ${stuck} s (wsrep_local_state $STATE, wsrep_cluster_status $STATUS) with no state transfer in progress"
      exit 1
    fi
    exit 0
    ;;
  *)
    echo "usage: probe.sh readiness|liveness" >&2
    exit 2
    ;;
esac
