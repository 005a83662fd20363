#!/bin/bash
# Galera backup (galera-gitops): the backup CronJob's command. It runs on the node of the
# member it backs up, with that member's data volume mounted read-only, and:
#   1. checks that the member is Synced in the Primary component (never back up a member
#      that is joining, or cut off with stale data);
#   2. checks where the backups are kept (the backup volume, or an S3-compatible bucket
#      through rclone: store.sh) and, on a volume, that it has room for the data;
#   3. desynchronises the member for the duration (wsrep_desync: the cluster does not wait
#      for it while the backup holds its locks; the member leaves the client Service),
#      and takes a physical backup with mariabackup --galera-info, streamed (mbstream)
#      through gzip to where backups are kept, never listed until it is complete;
#   4. verifies it: read back from there against the SHA-256 of what was written, and
#      (verify=restore) unpacked and prepared as a restore would do it, in scratch space;
#   5. publishes it under its final name with a .info file (the Galera position, size,
#      checksum) and, last, its .sha256, and prunes the oldest beyond the retention count.
# Any failure ends the job with a non-zero exit and a line starting "galera-gitops backup:
# FAILED". docs/backups.md explains the restore.
set -euo pipefail
# shellcheck source=store.sh
source "$(dirname "${BASH_SOURCE[0]}")/store.sh"

log() { echo "galera-gitops backup: $*" >&2; }
fail() { log "FAILED: $*"; exit 1; }

: "${CLUSTER:?}" "${MEMBER:?}" "${DATADIR:=/var/lib/mysql}" "${SCRATCH:=/scratch}"
RETENTION=${RETENTION:-7} VERIFY=${VERIFY:-restore}
[ -n "${MYSQL_ROOT_PASSWORD:-}" ] || fail "no root password: the Secret named in secrets.root is missing, or has no key \"password\""
export MYSQL_PWD="$MYSQL_ROOT_PASSWORD"
CLIENT=$(command -v mariadb || command -v mysql) || fail "the image has no mariadb client"
BACKUP_BIN=$(command -v mariadb-backup || command -v mariabackup) || fail "the image has no mariadb-backup"
STREAM_BIN=$(command -v mbstream) || fail "the image has no mbstream"

sql() { "$CLIENT" -h "$MEMBER" -uroot -N -s --connect-timeout=5 -e "$1"; }
status() { sql "SHOW GLOBAL STATUS LIKE '$1'" | cut -f2; }

# 1. The member.
state=$(status wsrep_local_state_comment) || fail "cannot log in to $MEMBER as root"
primary=$(status wsrep_cluster_status)
[ "$state" = Synced ] && [ "$primary" = Primary ] || fail "$MEMBER is $state in a $primary component: only a Synced member of the Primary component is backed up"

# 2. Where backups go, and room there: the data's size, compressed at best 1:1 for a
# bound (it is usually 3-5x smaller).
store_check
need=$(du -sk --exclude=galera.cache --exclude='ib_logfile*' "$DATADIR" | cut -f1)
have=$(store_free_kib)
[ "$have" -gt "$need" ] || fail "the backup volume has $((have / 1024)) MiB free, the data takes $((need / 1024)) MiB: grow backup.pvc.size or lower backup.retention"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
name="$CLUSTER-$stamp"
staged=$(store_staged "$name.mbstream.gz")
trap 'store_delete "$name.sha256" "$staged" "$name.mbstream.gz" "$name.info" || log "could not delete what was written of $name: delete it by hand"' EXIT
unpack() { gzip -dc | "$STREAM_BIN" -x -C "$1"; }
discard() { gzip -dc > /dev/null; }

# 3. The backup, the member desynchronised meanwhile; the SHA-256 of what is written.
sql "SET GLOBAL wsrep_desync = ON" || fail "cannot desynchronise $MEMBER"
log "backing up $MEMBER ($((need / 1024)) MiB of data) to $name.mbstream.gz in $(store_where)"
begin=$(date +%s)
sum_begin || fail "cannot make a FIFO in /tmp"
result=(0)
"$BACKUP_BIN" --backup --stream=mbstream --galera-info --host="$MEMBER" --user=root --datadir="$DATADIR" --target-dir="$SCRATCH" 2> "$SCRATCH/backup.log" \
  | gzip -1 | tee "$SUM_FIFO" | store_put "$staged" 2> "$SCRATCH/store.log" || result=("${PIPESTATUS[@]}")
sum=$(sum_end)
sql "SET GLOBAL wsrep_desync = OFF" || log "could not resynchronise $MEMBER: it resynchronises when it restarts"
if [ "${result[3]:-0}" != 0 ]; then
  tail -n 5 "$SCRATCH/store.log" >&2
  [ "$(store_free_kib)" -gt 1024 ] || fail "the backup volume is full"
  fail "writing to $(store_where) failed (the last lines are above)"
fi
if [ "${result[0]}" != 0 ]; then
  tail -n 20 "$SCRATCH/backup.log" >&2
  fail "mariadb-backup failed (its last lines are above)"
fi
[ "${result[1]:-0}" = 0 ] && [ "${result[2]:-0}" = 0 ] || fail "compressing the backup stream failed (gzip ${result[1]:-0}, tee ${result[2]:-0})"
is_sha256 "$sum" || fail "could not take the checksum of the backup as it was written"

# 4. Verification, reading back from where it is kept.
position=unknown
if [ "$VERIFY" = restore ]; then
  target="$SCRATCH/verify"
  rm -rf "$target" && mkdir -p "$target"
  read_back=0
  sum_through "$staged" unpack "$target" || read_back=$?
  [ "$READ" = 0 ] || fail "cannot read the backup back from $(store_where)"
  [ "$SUM" = "$sum" ] || fail "the backup read back from $(store_where) differs from what was written"
  [ "$read_back" = 0 ] || fail "the backup does not unpack into the scratch space, though it reads back whole: is the scratch emptyDir (the data volume's size) large enough?"
  "$BACKUP_BIN" --prepare --target-dir="$target" 2> "$SCRATCH/prepare.log" || { tail -n 20 "$SCRATCH/prepare.log" >&2; fail "the backup does not prepare: it would not restore"; }
  # uuid:seqno, then (MariaDB 10.x) the GTID domain: the position is the first word.
  position=$(cat "$target/mariadb_backup_galera_info" 2>/dev/null || cat "$target/xtrabackup_galera_info" 2>/dev/null || echo unknown)
  position=${position%%[[:space:]]*}
  rm -rf "$target"
else
  decompressed=0
  sum_through "$staged" discard || decompressed=$?
  [ "$READ" = 0 ] || fail "cannot read the backup back from $(store_where)"
  [ "$SUM" = "$sum" ] || fail "the backup read back from $(store_where) differs from what was written"
  [ "$decompressed" = 0 ] || fail "the compressed backup does not decompress"
fi

# 5. Published (complete once its .sha256 is there), then the oldest pruned.
size=$(store_size "$staged")
printf 'backup=%s.mbstream.gz\nmember=%s\ngalera-position=%s\nsha256=%s\nbytes=%s\nverified=%s\nseconds=%s\n' \
  "$name" "$MEMBER" "$position" "$sum" "$size" "$VERIFY" "$(( $(date +%s) - begin ))" | store_put "$name.info"
store_publish "$staged" "$name.mbstream.gz"
echo "$sum  $name.mbstream.gz" | store_put "$name.sha256"
trap - EXIT
mapfile -t all < <(store_list | grep -E "^$CLUSTER-[0-9]{8}T[0-9]{6}Z\.mbstream\.gz\$")
for old in "${all[@]:0:$(( ${#all[@]} > RETENTION ? ${#all[@]} - RETENTION : 0 ))}"; do
  base=${old%.mbstream.gz}
  if store_delete "$base.sha256" "$old" "$base.info"; then log "pruned $old"; else log "could not delete all of $old: delete it by hand"; fi
done
log "done: $name.mbstream.gz, $((size / 1024)) KiB, galera position $position, verified by $VERIFY, $(( $(date +%s) - begin )) s; backups kept: $(( ${#all[@]} < RETENTION ? ${#all[@]} : RETENTION ))"
