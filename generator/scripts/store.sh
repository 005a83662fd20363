#!/bin/bash
# Where the backups are kept (galera-gitops), sourced by backup.sh and restore.sh: the
# backup volume (BACKUP_DIR) or, with S3_BUCKET set, an S3-compatible bucket through the
# rclone binary an init container copied to $RCLONE (its remote "store" is configured by
# the RCLONE_CONFIG_STORE_* variables of the pod). A backup is NAME.mbstream.gz with
# NAME.sha256 and NAME.info beside it; it is complete once its .sha256 exists, which is
# written last. Never run alone.
#   store_where             where, for messages
#   store_check [read]      reachable and writable (readable), or fail
#   store_free_kib          free space (a bucket: unbounded)
#   store_staged NAME       the name a backup is written under until it is published
#   store_put KEY < data    store_get KEY > data    store_delete KEY...    store_size KEY
#   store_publish KEY NAME  the staged backup under its final name
#   store_list              the complete backups, oldest first

if [ -n "${S3_BUCKET:-}" ]; then
  : "${S3_ENDPOINT:?}" "${RCLONE:=/tools/rclone}"
  remote="store:$S3_BUCKET/${S3_PREFIX:+$S3_PREFIX/}"
  # Bounded waits: an unreachable endpoint fails the job in about a minute, not hours.
  rc() { "$RCLONE" --config /tmp/rclone.conf --contimeout 10s --timeout 60s --retries 2 --low-level-retries 3 "$@"; }
  # rclone's last error, without its time stamp.
  rc_error() { grep -E 'ERROR|Failed|error' | tail -n 1 | sed -E 's/^[0-9\/]+ [0-9:]+ (ERROR : )?//'; }
  store_where() { echo "the bucket $S3_BUCKET at $S3_ENDPOINT (keys under ${S3_PREFIX:-/}/)"; }
  store_check() {
    [ -x "$RCLONE" ] || fail "no S3 client at $RCLONE: the init container did not copy rclone from backup.s3.clientImage"
    [ -n "${RCLONE_CONFIG_STORE_ACCESS_KEY_ID:-}" ] && [ -n "${RCLONE_CONFIG_STORE_SECRET_ACCESS_KEY:-}" ] \
      || fail "no S3 credentials: the Secret $S3_SECRET named in backup.s3.secret is missing, or lacks access-key-id or secret-access-key"
    : > /tmp/rclone.conf
    local out
    out=$(rc lsf --max-depth 1 "$remote" 2>&1 >/dev/null) || fail "cannot list $(store_where): $(rc_error <<< "$out")"
  }
  store_free_kib() { echo 9223372036854775807; }
  store_staged() { echo "$1"; }  # an upload becomes visible whole, when it completes
  # Parts of 32 MiB, two at a time: up to 312 GiB per backup in 64 MiB of memory.
  store_put() { rc rcat --s3-chunk-size 32M --s3-upload-concurrency 2 "$remote$1"; }
  # rclone cat of a missing key prints nothing and succeeds: look first.
  store_get() { [ -n "$(rc lsf "$remote$1" 2>/dev/null)" ] || { echo "no object $1" >&2; return 1; }; rc cat "$remote$1"; }
  store_size() { rc lsf --format s "$remote$1"; }
  # Deletes what exists of KEY...; fails when a key that is listed could not be deleted.
  store_delete() {
    local key names failed=0
    names=$(rc lsf --max-depth 1 --files-only "$remote" 2>/dev/null) || return 1
    for key in "$@"; do
      grep -Fx -- "$key" <<< "$names" > /dev/null || continue
      rc deletefile "$remote$key" 2>/dev/null || failed=1
    done
    return "$failed"
  }
  store_publish() { [ "$1" = "$2" ] || rc moveto "$remote$1" "$remote$2"; }
  store_list() {
    local names
    names=$(rc lsf --max-depth 1 --files-only "$remote") || fail "cannot list $(store_where)"
    grep -Fx -f <(grep -E '\.sha256$' <<< "$names" | sed 's/\.sha256$/.mbstream.gz/') <<< "$names" | sort || true
  }
else
  : "${BACKUP_DIR:=/backups}"
  store_where() { echo "the backup volume"; }
  store_check() {
    [ -d "$BACKUP_DIR" ] || fail "the backup volume is not mounted at $BACKUP_DIR"
    [ "${1:-}" = read ] || [ -w "$BACKUP_DIR" ] || fail "the backup volume is not mounted writable at $BACKUP_DIR"
  }
  store_free_kib() { df -Pk "$BACKUP_DIR" | awk 'NR == 2 { print $4 }'; }
  store_staged() { echo ".$1.partial"; }  # hidden until renamed
  store_put() { cat > "$BACKUP_DIR/$1"; }
  store_get() { cat "$BACKUP_DIR/$1"; }
  store_size() { stat -c %s "$BACKUP_DIR/$1"; }
  store_delete() { local key failed=0; for key in "$@"; do rm -f "$BACKUP_DIR/$key" || failed=1; done; return "$failed"; }
  store_publish() { mv "$BACKUP_DIR/$1" "$BACKUP_DIR/$2"; }
  store_list() {
    local f
    for f in "$BACKUP_DIR"/*.sha256; do
      [ -f "${f%.sha256}.mbstream.gz" ] || continue
      basename "${f%.sha256}.mbstream.gz"
    done | sort
  }
fi
store_list_readable() { local all; all=$(store_list | tr '\n' ' '); echo "${all:-none}"; }

# sum_begin: a FIFO ($SUM_FIFO) whose SHA-256 is taken in the background as a stream is
# teed into it; sum_end prints that SHA-256 once the stream has ended.
sum_begin() {
  SUM_FIFO=$(mktemp -u /tmp/sum.XXXXXX) && mkfifo "$SUM_FIFO" || return 1
  sha256sum < "$SUM_FIFO" | cut -d' ' -f1 > "$SUM_FIFO.out" &
  SUM_PID=$!
}
sum_end() {
  wait "$SUM_PID" || true
  cat "$SUM_FIFO.out" 2>/dev/null || true
  rm -f "$SUM_FIFO" "$SUM_FIFO.out"
}

# sum_through KEY CMD...: the stored KEY through CMD. SUM is set to the SHA-256 of all
# that was read (tee -p goes on reading when CMD stops early: a full volume is never taken
# for a corrupt backup), READ to the status of reading it; the status is CMD's.
sum_through() {
  local key=$1 status=(0 0 0)
  shift
  sum_begin || { READ=1; return 1; }
  store_get "$key" | tee -p "$SUM_FIFO" | "$@" || status=("${PIPESTATUS[@]}")
  SUM=$(sum_end)
  READ=${status[0]}
  [ "${status[1]}" = 0 ] || READ=${status[1]}
  return "${status[2]}"
}

# A SHA-256 as sha256sum prints it, never an empty or truncated one.
is_sha256() { [[ $1 =~ ^[0-9a-f]{64}$ ]]; }
