/** `galera-gitops restore-job` as an operator runs it: what it prints, its messages and exit codes. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';

const ROOT = join(import.meta.dirname, '..');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const SPEC = 'examples/orders-db.galera.yaml';

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, 'restore-job', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('galera-gitops restore-job', () => {
  it('prints the script, member 0\'s claim and the Job for the environment, exit 0', () => {
    const r = run('-f', SPEC, '--env', 'staging', '--backup', 'orders-db-20261123T023000Z.mbstream.gz');
    assert.equal(r.status, 0, r.stderr);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace: string } });
    assert.deepEqual(docs.map((d) => `${d.kind}/${d.metadata.namespace}/${d.metadata.name}`), [
      'ConfigMap/orders-staging/orders-db-restore-script',
      'PersistentVolumeClaim/orders-staging/data-orders-db-0',
      'Job/orders-staging/orders-db-restore',
    ]);
  });

  it('exits 2 naming what is wrong: unknown environment, an environment without backups, a backup of another cluster', () => {
    let r = run('-f', SPEC, '--env', 'qa', '--backup', 'orders-db-20261123T023000Z');
    assert.deepEqual([r.status, r.stderr], [2, 'galera-gitops restore-job: examples/orders-db.galera.yaml: no environment "qa"; there are dev, staging, prod\n']);
    r = run('-f', SPEC, '--env', 'dev', '--backup', 'orders-db-20261123T023000Z');
    assert.deepEqual([r.status, r.stderr], [2, 'galera-gitops restore-job: examples/orders-db.galera.yaml: environment dev has no backups (backup block, environments.dev.backup)\n']);
    r = run('-f', SPEC, '--env', 'prod', '--backup', 'billing-20261123T023000Z.mbstream.gz');
    assert.deepEqual([r.status, r.stderr], [2, 'galera-gitops restore-job: --backup "billing-20261123T023000Z.mbstream.gz" is not a backup of orders-db (orders-db-<YYYYMMDDTHHMMSSZ>.mbstream.gz)\n']);
    r = run('-f', SPEC, '--env', 'prod');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /required option '--backup <name>' not specified/);
  });
});
