/**
 * What the backup block renders: per environment a CronJob on member 0's node with that
 * member's volume read-only, a backup claim or an S3 bucket reached through rclone, the
 * scripts in a ConfigMap of their own; the
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
function prodOf(s: typeof spec): (typeof spec)['environments'][number] {
  const env = s.environments.find((e) => e.name === 'prod');
  assert.ok(env);
  return env;
}

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
    // No empty initContainers list (the apiserver drops it: Argo CD would show drift).
    assert.equal('initContainers' in pod.spec, false);
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

  it('backs up to an S3 bucket: the rclone binary copied in by an init container, the keys from the named Secret, no claim', () => {
    const s3 = parseSpec(text.replace('  pvc:\n    size: 100Gi\n', '  s3:\n    endpoint: https://s3.eu-west-1.amazonaws.com/\n    bucket: acme-db-backups\n    secret: orders-db-s3\n'), 'x.yaml');
    assert.deepEqual(s3.backup?.destination, { kind: 's3', endpoint: 'https://s3.eu-west-1.amazonaws.com', bucket: 'acme-db-backups', prefix: 'orders-db', region: 'us-east-1', secret: 'orders-db-s3', clientImage: 'docker.io/rclone/rclone:1.76.0' });
    const s3Tree = renderTree(s3).generated;
    const [script, cron, more] = parseAllDocuments(s3Tree.get('envs/prod/backup.yaml') ?? '').map((d) => d.toJS() as Doc & { data?: Record<string, string> });
    assert.deepEqual(Object.keys(script?.data ?? {}), ['backup.sh', 'store.sh']);
    assert.deepEqual([cron?.kind, more], ['CronJob', undefined]);
    const pod = (cron?.spec as { jobTemplate: { spec: { template: { spec: { initContainers: Doc[]; containers: { env: { name: string; value?: string; valueFrom?: unknown }[]; volumeMounts: unknown[] }[]; volumes: unknown[] } } } } }).jobTemplate.spec.template.spec;
    assert.deepEqual(pod.initContainers.map((c) => [c.metadata, (c as unknown as { image: string; command: string[] }).command]), [[undefined, ['sh', '-c', 'cp "$(command -v rclone)" /tools/rclone']]]);
    const env = pod.containers[0]?.env ?? [];
    assert.deepEqual(env.filter((e) => e.name.startsWith('S3_')), [
      { name: 'S3_ENDPOINT', value: 'https://s3.eu-west-1.amazonaws.com' },
      { name: 'S3_BUCKET', value: 'acme-db-backups' },
      { name: 'S3_PREFIX', value: 'orders-db/prod' },
      { name: 'S3_SECRET', value: 'orders-db-s3' },
    ]);
    assert.deepEqual(env.find((e) => e.name === 'RCLONE_CONFIG_STORE_SECRET_ACCESS_KEY')?.valueFrom, { secretKeyRef: { name: 'orders-db-s3', key: 'secret-access-key', optional: true } });
    assert.doesNotMatch(JSON.stringify(pod.volumes), /orders-db-backups/);
    const [, , job] = restoreDocs(s3, prodOf(s3), 'orders-db-20261123T023000Z.mbstream.gz') as Doc[];
    assert.match(JSON.stringify(job?.spec), /"name":"S3_PREFIX","value":"orders-db\/prod"/);
    assert.match(JSON.stringify(job?.spec), /"initContainers":\[\{"name":"s3-client"/);
  });

  it('wants exactly one destination, and a well-formed bucket and endpoint', () => {
    const both = text.replace('  pvc:\n    size: 100Gi\n', '  pvc:\n    size: 100Gi\n  s3:\n    endpoint: http://minio.storage.svc:9000\n    bucket: b-1\n    secret: s\n');
    assert.deepEqual(problems(both), ['x.yaml:41:3: backup: name exactly one destination: pvc (a volume per environment) or s3 (a bucket)']);
    assert.deepEqual(problems(text.replace('  pvc:\n    size: 100Gi\n', '')), ['x.yaml:41:3: backup: name exactly one destination: pvc (a volume per environment) or s3 (a bucket)']);
    const bad = text.replace('  pvc:\n    size: 100Gi\n', '  s3:\n    endpoint: minio:9000\n    bucket: Backups\n    secret: s\n');
    assert.deepEqual(problems(bad), [
      'x.yaml:44:15: backup.s3.endpoint: "minio:9000" is not valid here (an http:// or https:// URL such as https://s3.eu-west-1.amazonaws.com)',
      'x.yaml:45:13: backup.s3.bucket: "Backups" is not valid here (an S3 bucket name: 3 to 63 lowercase letters, digits, "." and "-")',
    ]);
  });

  it('refuses a bad schedule, and backups of the flavor never run here', () => {
    assert.deepEqual(problems(text.replace('schedule: "30 2 * * *"', 'schedule: "nightly"')), [
      'x.yaml:41:13: backup.schedule: "nightly" is not valid here (a cron schedule of five fields such as "30 2 * * *", or @daily)',
    ]);
    const pxc = text.replace('flavor: mariadb', 'flavor: percona-xtradb-cluster').replace('image: mariadb:11.4.4', 'image: percona/percona-xtradb-cluster:8.0.39');
    assert.deepEqual(problems(pxc), ["x.yaml:41:3: backup: not available for percona-xtradb-cluster yet (its backups need xtrabackup, which galera-gitops has never run): take backups with Percona's tools, or remove the block"]);
  });
});
