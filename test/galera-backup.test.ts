/**
 * Backups and restore on a real node: the bundled example's staging environment and its
 * backup block, 2 kept, first to a PersistentVolumeClaim, then (the spec changed and the
 * environment regenerated and applied) to an S3 bucket of a real S3 server on the node
 * (versitygw, test/support/s3-store.ts) through Debian's rclone. Rows are written, the
 * generated CronJob backs up a Synced member (verified by preparing it, the member back in
 * sync after), more rows are written; then, for each destination, the cluster and its
 * volumes are destroyed, the environment is restored with `galera-gitops restore-job` and
 * started again: every member holds exactly the rows of that backup. Bad input ends each
 * job with a clear message and a failed Job: a missing Secret (root, S3 keys), a member not
 * Synced, a full backup volume, an unreachable bucket, a corrupt backup (volume, bucket), a
 * restore over data. A writer runs until the cluster is first destroyed; none of its
 * acknowledged rows may be lost to the backups.
 */
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { backupsIn, runBackup, runRestore } from './support/backup-jobs.ts';
import { GaleraPods, generateTree } from './support/galera-pods.ts';
import { GaleraWriter } from './support/galera-writer.ts';
import { mariadbImage } from './support/images.ts';
import { RealNode } from './support/node.ts';
import { ROOT } from './support/paths.ts';
import { rcloneImage, S3Store } from './support/s3-store.ts';


interface Setup {
  node: RealNode;
  cluster: GaleraPods;
  writer: GaleraWriter;
  specFile: string;
  backups: string;
  store: S3Store;
  s3SpecFile: string;
  s3Tree: string;
}

const PREFIX = 'orders-db/staging';
const S3_SECRET = 'orders-db-backup-s3';

/** The complete backups in the bucket (with their .sha256), oldest first. */
function s3Backups(store: S3Store): string[] {
  const keys = [...store.objects(PREFIX).keys()].map((k) => k.slice(PREFIX.length + 1));
  return keys.filter((k) => k.endsWith('.mbstream.gz') && keys.includes(k.replace('.mbstream.gz', '.sha256'))).sort();
}

/** Three runs of the CronJob, each succeeding and verified by a prepare (a second apart: the names hold the time). */
async function threeBackups(cluster: GaleraPods): Promise<void> {
  for (let run = 1; run <= 3; run++) {
    const end = await runBackup(cluster);
    assert.equal(end.succeeded, true, end.log);
    assert.match(end.log, /galera-gitops backup: done: orders-db-\d{8}T\d{6}Z\.mbstream\.gz, \d+ KiB, galera position [0-9a-f-]{36}:\d+, verified by restore, \d+ s/);
    if (run === 1) console.log(end.log.trim().split('\n').at(-1));
    await new Promise((r) => setTimeout(r, 1100));
  }
}

/** Restores `backup` into the destroyed environment and starts it: every member must hold exactly rows 1..`rows`. */
async function restoreAndStart(cluster: GaleraPods, specFile: string, backup: string, rows: number): Promise<number[]> {
  const end = await runRestore(cluster, specFile, 'staging', backup);
  assert.equal(end.succeeded, true, end.log);
  assert.match(end.log, /galera-gitops restore: done: .* restored into member 0's volume at Galera position [0-9a-f-]{36}:\d+/);
  cluster.apply();
  await cluster.waitSynced(3, 10 * 60_000);
  const expected = Array.from({ length: rows }, (_, i) => i + 1);
  for (let i = 0; i < 3; i++) assert.deepEqual(await ids(cluster, i), expected, `member ${String(i)} holds exactly the rows of ${backup}`);
  return expected;
}

async function destroy(cluster: GaleraPods, node: RealNode): Promise<void> {
  node.kubectl(['delete', 'statefulset', cluster.name, '-n', cluster.namespace, '--wait=true']);
  await node.waitFor('the members to stop', 180_000, () => cluster.pods().length === 0);
  for (let i = 0; i < 3; i++) cluster.loseVolume(i);
}

async function ids(cluster: GaleraPods, ordinal: number): Promise<number[]> {
  const rows = await cluster.query(ordinal, 'SELECT id FROM shop.items ORDER BY id');
  return rows.map((r) => Number(r.id));
}

async function insert(cluster: GaleraPods, from: number, to: number): Promise<void> {
  const values = Array.from({ length: to - from + 1 }, (_, i) => `(${String(from + i)})`).join(',');
  await cluster.query(0, `INSERT INTO shop.items (id) VALUES ${values}`);
}

describe('backups and restore on real pods', { timeout: 40 * 60_000 }, () => {
  let s: Setup | undefined;
  const get = (): Setup => {
    assert.ok(s, 'the cluster did not start');
    return s;
  };
  let restoreTarget = '';
  let s3Target = '';

  before(async () => {
    const image = mariadbImage();
    const node = await RealNode.start();
    try {
      node.loadImage(image);
      const dir = mkdtempSync(join(tmpdir(), 'galera-backup-'));
      const specFile = join(dir, 'orders-db.galera.yaml');
      const spec = readFileSync(join(ROOT, 'examples', 'orders-db.galera.yaml'), 'utf8')
        .replace('  staging:\n    size: small\n', '  staging:\n    size: small\n    cpu: 100m\n    memory: 1Gi\n')
        .replace('  retention: 7\n', '  retention: 2\n');
      writeFileSync(specFile, spec.replace('  pvc:\n    size: 100Gi\n', '  pvc:\n    size: 1Gi\n'));
      const root = generateTree(specFile, join(dir, 'tree'));
      const store = await S3Store.start(node);
      const rclone = rcloneImage();
      node.loadImage(rclone);
      const s3SpecFile = join(dir, 's3', 'orders-db.galera.yaml');
      mkdirSync(join(dir, 's3'));
      writeFileSync(s3SpecFile, spec.replace('  pvc:\n    size: 100Gi\n', `  s3:\n    endpoint: ${store.endpoint}\n    bucket: ${store.bucket}\n    secret: ${S3_SECRET}\n    clientImage: ${rclone.ref}\n`));
      const s3Tree = generateTree(s3SpecFile, join(dir, 's3', 'tree'));
      const cluster = new GaleraPods(node, { overlay: join(root, 'envs', 'staging'), image, namespace: 'orders-staging', name: 'orders-db' });
      for (let i = 0; i < 3; i++) cluster.createVolume(i);
      const backups = cluster.createClaimVolume('orders-db-backups');
      cluster.apply();
      await cluster.waitSynced(3, 10 * 60_000);
      await cluster.query(0, 'CREATE DATABASE shop');
      await cluster.query(0, 'CREATE TABLE shop.items (id INT PRIMARY KEY)');
      await insert(cluster, 1, 100);
      const writer = new GaleraWriter(cluster);
      await writer.start();
      s = { node, cluster, writer, specFile, backups, store, s3SpecFile, s3Tree };
    } catch (error) {
      await node.stop();
      throw error;
    }
  });

  after(async () => {
    await s?.writer.stop();
    await s?.node.stop();
  });

  it('backs up a Synced member with the CronJob, verified by a prepare, and keeps the newest 2', async () => {
    const { cluster, backups } = get();
    await threeBackups(cluster);
    const kept = backupsIn(backups);
    assert.equal(kept.length, 2);
    restoreTarget = kept[1] ?? '';
    const info = readFileSync(join(backups, restoreTarget.replace('.mbstream.gz', '.info')), 'utf8');
    assert.match(info, /^galera-position=[0-9a-f-]{36}:\d+$/m);
    // The member is back in sync and back in the client Service.
    const status = await cluster.wsrep(0);
    assert.equal(status.wsrep_local_state_comment, 'Synced');
    assert.deepEqual((await cluster.query(0, "SHOW GLOBAL VARIABLES LIKE 'wsrep_desync'")).map((r) => String(r.Value)), ['OFF']);
    await insert(cluster, 101, 150);
  });

  it('fails clearly, writing nothing: missing Secret, member not Synced, full volume', async () => {
    const { cluster, node, backups } = get();
    const before = backupsIn(backups);
    const { metadata, data } = JSON.parse(node.kubectl(['get', 'secret', 'orders-db-root', '-n', cluster.namespace, '-o', 'json']).stdout) as { metadata: { name: string; namespace: string }; data: Record<string, string> };
    const secret = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: metadata.name, namespace: metadata.namespace }, data });
    node.kubectl(['delete', 'secret', 'orders-db-root', '-n', cluster.namespace]);
    let end = await runBackup(cluster);
    node.apply(secret);
    assert.equal(end.succeeded, false);
    assert.match(end.log, /galera-gitops backup: FAILED: no root password: the Secret named in secrets\.root is missing/);

    await cluster.query(0, 'SET GLOBAL wsrep_desync = ON');
    end = await runBackup(cluster);
    await cluster.query(0, 'SET GLOBAL wsrep_desync = OFF');
    assert.equal(end.succeeded, false);
    assert.match(end.log, /FAILED: orders-db-0\.orders-db-peers\.orders-staging\.svc is Donor\/Desynced in a Primary component: only a Synced member/);

    // A 4 MiB file system over the backup volume, inside the node (it goes with the node).
    node.inMountNamespace('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', backups]);
    try {
      end = await runBackup(cluster);
    } finally {
      node.inMountNamespace('umount', [backups]);
    }
    assert.equal(end.succeeded, false);
    assert.match(end.log, /FAILED: the backup volume has \d+ MiB free, the data takes \d+ MiB: grow backup\.pvc\.size or lower backup\.retention/);
    assert.deepEqual(backupsIn(backups), before);
  });

  it('backs up to an S3 bucket through the rclone the init container copies in, keeps the newest 2; missing keys and an unreachable bucket fail clearly', async () => {
    const { cluster, store, s3Tree } = get();
    // The spec now names a bucket: the environment regenerated and applied; the members do not roll.
    const members = cluster.pods().map((p) => p.uid);
    cluster.useOverlay(join(s3Tree, 'envs', 'staging'));
    cluster.apply();
    let end = await runBackup(cluster);
    assert.equal(end.succeeded, false);
    assert.match(end.log, /galera-gitops backup: FAILED: no S3 credentials: the Secret orders-db-backup-s3 named in backup\.s3\.secret is missing, or lacks access-key-id or secret-access-key/);
    store.credentials(cluster.namespace, S3_SECRET);
    await store.scale(0);
    try {
      end = await runBackup(cluster);
    } finally {
      await store.scale(1);
    }
    assert.equal(end.succeeded, false);
    console.log(end.log.trim().split('\n').at(-1));
    assert.match(end.log, /FAILED: cannot list the bucket galera-backups at http:\/\/s3\.backup-store\.svc:7070 \(keys under orders-db\/staging\/\): .+/);
    assert.deepEqual(s3Backups(store), []);
    await threeBackups(cluster);
    const kept = s3Backups(store);
    assert.equal(kept.length, 2);
    // Nothing else is left in the bucket: three files per kept backup, none of a pruned one.
    assert.equal(store.objects(PREFIX).size, 6, JSON.stringify([...store.objects(PREFIX).keys()]));
    s3Target = kept[1] ?? '';
    assert.match(readFileSync(store.file(`${PREFIX}/${s3Target.replace('.mbstream.gz', '.info')}`), 'utf8'), /^galera-position=[0-9a-f-]{36}:\d+$/m);
    assert.equal((await cluster.wsrep(0)).wsrep_local_state_comment, 'Synced');
    assert.deepEqual(cluster.pods().map((p) => p.uid), members);
    await insert(cluster, 151, 200);
  });

  it('lost no acknowledged row while backing up', async () => {
    const { writer } = get();
    const result = await writer.verify(3);
    await writer.stop();
    console.log(`writer: ${String(result.acknowledged)} rows acknowledged, lost per member ${JSON.stringify(result.lost)}`);
    assert.deepEqual(Object.values(result.lost), [0, 0, 0]);
    assert.equal(result.agree, true);
  });

  it('restores a destroyed environment from the backup: exactly its rows on every member; a corrupt backup and a restore over data are refused', async () => {
    const { cluster, node, specFile, backups } = get();
    await destroy(cluster, node);

    // A corrupt copy: refused before anything reaches member 0's volume.
    const corrupt = 'orders-db-20000101T000000Z.mbstream.gz';
    copyFileSync(join(backups, restoreTarget), join(backups, corrupt));
    writeFileSync(join(backups, corrupt.replace('.mbstream.gz', '.sha256')), readFileSync(join(backups, restoreTarget.replace('.mbstream.gz', '.sha256')), 'utf8').replace(restoreTarget, corrupt));
    appendFileSync(join(backups, corrupt), 'not a backup');
    let end = await runRestore(cluster, specFile, 'staging', corrupt);
    assert.equal(end.succeeded, false);
    assert.match(end.log, /galera-gitops restore: FAILED: orders-db-20000101T000000Z\.mbstream\.gz does not match its checksum: the backup is corrupt/);
    rmSync(join(backups, corrupt));

    const expected = await restoreAndStart(cluster, specFile, restoreTarget, 100);

    end = await runRestore(cluster, specFile, 'staging', restoreTarget);
    assert.equal(end.succeeded, false);
    assert.match(end.log, /FAILED: member 0's volume already holds data: a restore only fills an empty volume/);
    assert.deepEqual(await ids(cluster, 0), expected);
  });

  it('restores the environment, destroyed again, from the S3 bucket: exactly the rows of that backup; a corrupt object is refused', async () => {
    const { cluster, node, store, s3SpecFile } = get();
    await destroy(cluster, node);
    const [older = ''] = s3Backups(store);
    appendFileSync(store.file(`${PREFIX}/${older}`), 'not a backup');
    let end = await runRestore(cluster, s3SpecFile, 'staging', older);
    assert.equal(end.succeeded, false);
    assert.match(end.log, new RegExp(`galera-gitops restore: FAILED: ${older.replace(/\./g, '\\.')} does not match its checksum: the backup is corrupt`));
    end = await runRestore(cluster, s3SpecFile, 'staging', 'orders-db-20000101T000000Z.mbstream.gz');
    assert.equal(end.succeeded, false);
    assert.match(end.log, /FAILED: no complete backup orders-db-20000101T000000Z\.mbstream\.gz in the bucket galera-backups at http:\/\/s3\.backup-store\.svc:7070 \(keys under orders-db\/staging\/\); there are: orders-db-\d{8}T\d{6}Z\.mbstream\.gz orders-db-/);

    await restoreAndStart(cluster, s3SpecFile, s3Target, 150);
  });
});
