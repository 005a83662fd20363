/**
 * What the backup block renders: per environment a CronJob on member 0's node with that
 * member's volume read-only, a backup claim, the script in a ConfigMap of its own; the
 * restore Job `restore-job` prints; the spec's checks. Runtime behaviour is proven on real
 * pods (test/galera-backup.test.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { specProblems } from '../../test/support/spec-problems.ts';
import { parseSpec } from '../spec.ts';
import { restoreDocs } from './restore.ts';
import { renderTree } from './tree.ts';

const text = readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'orders-db.galera.yaml'), 'utf8');
const spec = parseSpec(text, 'examples/orders-db.galera.yaml');
const tree = renderTree(spec).generated;
type Doc = { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec: Record<string, unknown> };
const docs = (path: string): Doc[] => parseAllDocuments(tree.get(path) ?? '').map((d) => d.toJS() as Doc);
const problems = (source: string): string[] => specProblems(source);

describe('backups', () => {
  it('renders a CronJob, its claim and its script for every environment that keeps backups', () => {
    assert.equal(tree.has('envs/dev/backup.yaml'), false, 'dev says backup: false');
    const [script, claim, cron] = docs('envs/staging/backup.yaml');
    assert.deepEqual([script?.kind, claim?.kind, cron?.kind], ['ConfigMap', 'PersistentVolumeClaim', 'CronJob']);
    assert.equal(claim?.metadata.name, 'orders-db-backups');
    assert.deepEqual(claim.spec.resources, { requests: { storage: '100Gi' } });
    const c = cron?.spec as { schedule: string; concurrencyPolicy: string; jobTemplate: { spec: { backoffLimit: number; template: { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> } } } };
    assert.equal(c.schedule, '30 2 * * *');
    assert.equal(c.concurrencyPolicy, 'Forbid');
    assert.equal(c.jobTemplate.spec.backoffLimit, 0);
    const pod = c.jobTemplate.spec.template;
    // Not a member: none of the members' labels, so no Service routes to it and no rule judges it as one.
    assert.equal(pod.metadata.labels['galera-gitops.io/cluster'], undefined);
    assert.deepEqual(pod.spec.volumes, [
      { name: 'data', persistentVolumeClaim: { claimName: 'data-orders-db-0', readOnly: true } },
      { name: 'backups', persistentVolumeClaim: { claimName: 'orders-db-backups' } },
      { name: 'script', configMap: { name: 'orders-db-backup-script' } },
      { name: 'scratch', emptyDir: { sizeLimit: '20Gi' } },
      { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
    ]);
    assert.match(JSON.stringify(pod.spec.affinity), /"statefulset.kubernetes.io\/pod-name":"orders-db-0"/);
    const container = (pod.spec.containers as { image: string; env: { name: string; value?: string }[] }[])[0];
    assert.equal(container?.image, 'mariadb:11.4.4');
    assert.deepEqual(container.env.filter((e) => e.value !== undefined), [
      { name: 'CLUSTER', value: 'orders-db' },
      { name: 'MEMBER', value: 'orders-db-0.orders-db-peers.orders-staging.svc' },
      { name: 'RETENTION', value: '7' },
      { name: 'VERIFY', value: 'restore' },
    ]);
    assert.ok(tree.get('envs/staging/kustomization.yaml')?.includes('- backup.yaml'));
  });

  it('prints a restore Job that fills member 0\'s claim, the claim made like the template\'s', () => {
    const env = spec.environments.find((e) => e.name === 'prod');
    assert.ok(env);
    const [script, claim, job] = restoreDocs(spec, env, 'orders-db-20261123T023000Z.mbstream.gz') as Doc[];
    assert.equal(script?.kind, 'ConfigMap');
    assert.deepEqual([claim?.kind, claim?.metadata.name], ['PersistentVolumeClaim', 'data-orders-db-0']);
    assert.deepEqual(claim?.spec, { accessModes: ['ReadWriteOnce'], storageClassName: 'fast-ssd', resources: { requests: { storage: '200Gi' } }, volumeMode: 'Filesystem' });
    assert.equal(job?.kind, 'Job');
    assert.match(JSON.stringify(job.spec), /"name":"BACKUP","value":"orders-db-20261123T023000Z.mbstream.gz"/);
  });

  it('refuses a bad schedule, and backups of the flavor never run here', () => {
    assert.deepEqual(problems(text.replace('schedule: "30 2 * * *"', 'schedule: "nightly"')), [
      'x.yaml:41:13: backup.schedule: "nightly" is not valid here (a cron schedule of five fields such as "30 2 * * *", or @daily)',
    ]);
    const pxc = text.replace('flavor: mariadb', 'flavor: percona-xtradb-cluster').replace('image: mariadb:11.4.4', 'image: percona/percona-xtradb-cluster:8.0.39');
    assert.deepEqual(problems(pxc), ["x.yaml:41:3: backup: not available for percona-xtradb-cluster yet (its backups need xtrabackup, which galera-gitops has never run): take backups with Percona's tools, or remove the block"]);
  });
});
