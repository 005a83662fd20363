#!/bin/bash
# Galera backup (galera-gitops): the backup CronJob's command. It runs on the node of the
# member it backs up, with that member's data volume mounted read-only, and:
#   1. checks that the member is Synced in the Primary component (never back up a member
#      that is joining, or cut off with stale data);
#   2. checks that the backup volume has room for a compressed copy of the data;
#   3. desynchronises the member for the duration (wsrep_desync: the cluster does not wait
#      for it while the backup holds its locks; the member leaves the client Service),
#      and takes a physical backup with mariabackup --galera-info, streamed (mbstream)
#      through gzip into a hidden file on the backup volume, with its SHA-256;
#   4. verifies it: read back against the checksum, and (verify=restore) unpacked and
#      prepared as a restore would do it, in scratch space;
#   5. publishes it under its final name (a rename: a half-written backup is never listed),
#      with a .info file (the Galera position, size, checksum), and prunes the oldest
#      beyond the retention count.
# Any failure ends the job with a non-zero exit and a line starting "galera-gitops backup:
# FAILED". docs/backups.md explains the restore.
set -euo pipefail

log() { echo "galera-gitops backup: $*" >&2; }
fail() { log "FAILED: $*"; exit 1; }

: "${CLUSTER:?}" "${MEMBER:?}" "${BACKUP_DIR:=/backups}" "${DATADIR:=/var/lib/mysql}" "${SCRATCH:=/scratch}"
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

# 2. Room: the data's size, compressed at best 1:1 for a bound (it is usually 3-5x smaller).
[ -d "$BACKUP_DIR" ] && [ -w "$BACKUP_DIR" ] || fail "the backup volume is not mounted writable at $BACKUP_DIR"
need=$(du -sk --exclude=galera.cache --exclude='ib_logfile*' "$DATADIR" | cut -f1)
have=$(df -Pk "$BACKUP_DIR" | awk 'NR == 2 { print $4 }')
[ "$have" -gt "$need" ] || fail "the backup volume has $((have / 1024)) MiB free, the data takes $((need / 1024)) MiB: grow backup.pvc.size or lower backup.retention"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
name="$CLUSTER-$stamp"
partial="$BACKUP_DIR/.$name.partial"
trap 'rm -f "$partial"' EXIT

# 3. The backup, the member desynchronised meanwhile.
sql "SET GLOBAL wsrep_desync = ON" || fail "cannot desynchronise $MEMBER"
log "backing up $MEMBER ($((need / 1024)) MiB of data) to $name.mbstream.gz"
begin=$(date +%s)
if ! "$BACKUP_BIN" --backup --stream=mbstream --galera-info --host="$MEMBER" --user=root --datadir="$DATADIR" --target-dir="$SCRATCH" 2> "$SCRATCH/backup.log" | gzip -1 > "$partial"; then
  sql "SET GLOBAL wsrep_desync = OFF" || true
  tail -n 20 "$SCRATCH/backup.log" >&2
  [ "$(df -Pk "$BACKUP_DIR" | awk 'NR == 2 { print $4 }')" -gt 1024 ] || fail "the backup volume is full"
  fail "mariadb-backup failed (its last lines are above)"
fi
sql "SET GLOBAL wsrep_desync = OFF" || log "could not resynchronise $MEMBER: it resynchronises when it restarts"
sum=$(sha256sum "$partial" | cut -d' ' -f1)

# 4. Verification.
gzip -t "$partial" || fail "the compressed backup does not read back"
[ "$(sha256sum "$partial" | cut -d' ' -f1)" = "$sum" ] || fail "the backup changed on the volume after it was written"
position=unknown
if [ "$VERIFY" = restore ]; then
  target="$SCRATCH/verify"
  rm -rf "$target" && mkdir -p "$target"
  gzip -dc "$partial" | "$STREAM_BIN" -x -C "$target" || fail "the backup does not unpack"
  "$BACKUP_BIN" --prepare --target-dir="$target" 2> "$SCRATCH/prepare.log" || { tail -n 20 "$SCRATCH/prepare.log" >&2; fail "the backup does not prepare: it would not restore"; }
  # uuid:seqno, then (MariaDB 10.x) the GTID domain: the position is the first word.
  position=$(cat "$target/mariadb_backup_galera_info" 2>/dev/null || cat "$target/xtrabackup_galera_info" 2>/dev/null || echo unknown)
  position=${position%%[[:space:]]*}
  rm -rf "$target"
fi

# 5. Published, then the oldest pruned.
size=$(stat -c %s "$partial")
printf 'backup=%s.mbstream.gz\nmember=%s\ngalera-position=%s\nsha256=%s\nbytes=%s\nverified=%s\nseconds=%s\n' \
  "$name" "$MEMBER" "$position" "$sum" "$size" "$VERIFY" "$(( $(date +%s) - begin ))" > "$BACKUP_DIR/$name.info"
echo "$sum  $name.mbstream.gz" > "$BACKUP_DIR/$name.sha256"
mv "$partial" "$BACKUP_DIR/$name.mbstream.gz"
trap - EXIT
mapfile -t all < <(find "$BACKUP_DIR" -maxdepth 1 -name "$CLUSTER-*.mbstream.gz" -printf '%f\n' | sort)
for old in "${all[@]:0:$(( ${#all[@]} > RETENTION ? ${#all[@]} - RETENTION : 0 ))}"; do
  base=${old%.mbstream.gz}
  rm -f "$BACKUP_DIR/$old" "$BACKUP_DIR/$base.info" "$BACKUP_DIR/$base.sha256"
  log "pruned $old"
done
log "done: $name.mbstream.gz, $((size / 1024)) KiB, galera position $position, verified by $VERIFY, $(( $(date +%s) - begin )) s; $(( ${#all[@]} < RETENTION ? ${#all[@]} : RETENTION )) backups kept"
