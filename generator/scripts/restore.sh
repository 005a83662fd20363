#!/bin/bash
# Galera restore (galera-gitops): the restore Job's command (`galera-gitops restore-job`).
# It fills member 0's empty data volume from a backup where backups are kept (the backup
# volume or an S3-compatible bucket: store.sh), then stops;
# the members started afterwards do the rest with the usual rules (docs/recovery.md):
# member 0 is the only one with data, so the election makes it bootstrap from it, and the
# others join it by state transfer.
#   1. refuses a volume that holds data: a restore never writes over a history;
#   2. streams the backup into a hidden folder of the volume, unpacking it, checks what it
#      read against the backup's checksum and prepares it (a corrupt backup fails here,
#      before anything is visible);
#   3. writes grastate.dat from the backup's Galera position, so the cluster continues the
#      backed-up history (same state UUID, seqno), then moves the files into place.
# Any failure ends the job with a non-zero exit and a line starting "galera-gitops restore:
# FAILED", the volume left as empty as it was.
set -euo pipefail
# shellcheck source=store.sh
source "$(dirname "${BASH_SOURCE[0]}")/store.sh"

log() { echo "galera-gitops restore: $*" >&2; }
fail() { log "FAILED: $*"; exit 1; }

: "${BACKUP:?}" "${DATADIR:=/var/lib/mysql}"
BACKUP_BIN=$(command -v mariadb-backup || command -v mariabackup) || fail "the image has no mariadb-backup"
STREAM_BIN=$(command -v mbstream) || fail "the image has no mbstream"
file="${BACKUP%.mbstream.gz}.mbstream.gz"
sums="${file%.mbstream.gz}.sha256"

# 1. An empty volume only.
[ -d "$DATADIR" ] && [ -w "$DATADIR" ] || fail "member 0's data volume is not mounted writable at $DATADIR"
if [ -n "$(find "$DATADIR" -mindepth 1 -maxdepth 1 ! -name 'lost+found' ! -name '.galera-gitops-restore' -print -quit)" ]; then
  fail "member 0's volume already holds data: a restore only fills an empty volume (delete the environment's StatefulSet and its claims first, docs/backups.md)"
fi

# 2. The backup, unpacked out of sight while its checksum is taken, checked, prepared.
store_check read
store_list | grep -Fx -- "$file" > /dev/null || fail "no complete backup $file in $(store_where); there are: $(store_list_readable)"
expected=$(store_get "$sums" | cut -d' ' -f1) || fail "cannot read $sums from $(store_where)"
is_sha256 "$expected" || fail "$sums holds no SHA-256: the backup was never completed"
work="$DATADIR/.galera-gitops-restore"
rm -rf "$work" && mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
unpack() { gzip -dc | "$STREAM_BIN" -x -C "$work"; }
unpacked=0
sum_through "$file" unpack || unpacked=$?
[ "$READ" = 0 ] || fail "cannot read $file from $(store_where)"
[ "$SUM" = "$expected" ] || fail "$file does not match its checksum: the backup is corrupt"
[ "$unpacked" = 0 ] || fail "$file does not unpack into member 0's volume, though its checksum matches: is the volume large enough? ($(df -h "$DATADIR" | awk 'NR == 2 { print $4 }') free)"
"$BACKUP_BIN" --prepare --target-dir="$work" 2> /tmp/prepare.log || { tail -n 20 /tmp/prepare.log >&2; fail "$file does not prepare"; }

# 3. The Galera position, then the files in place.
info=$(cat "$work/mariadb_backup_galera_info" 2>/dev/null || cat "$work/xtrabackup_galera_info" 2>/dev/null) || fail "the backup has no Galera position (not taken with --galera-info)"
info=${info%%[[:space:]]*}  # uuid:seqno, then (MariaDB 10.x) the GTID domain
uuid=${info%%:*} seqno=${info##*:}
[[ "$uuid" =~ ^[0-9a-f-]{36}$ && "$seqno" =~ ^-?[0-9]+$ ]] || fail "the backup's Galera position \"$info\" is not uuid:seqno"
printf '# GALERA saved state\nversion: 2.1\nuuid:    %s\nseqno:   %s\nsafe_to_bootstrap: 0\n' "$uuid" "$seqno" > "$work/grastate.dat"
find "$work" -mindepth 1 -maxdepth 1 -exec mv -t "$DATADIR" {} +
log "done: $file restored into member 0's volume at Galera position $uuid:$seqno; start the environment (kubectl apply -k, or sync): member 0 bootstraps from it and the others join"
