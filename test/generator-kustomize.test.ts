/**
 * The generator's output through the real, pinned kustomize, then through `check`: every
 * overlay builds and has no deny finding, and the team's local/ folder survives
 * regeneration while a bad local patch is still caught.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkInputs } from '../cli/check/run.ts';
import { findingLine } from '../cli/check/report-text.ts';
import { planAll } from '../generator/generate.ts';
import { apply } from '../generator/write.ts';
import { kustomizeBuild } from './support/tools.ts';

const ROOT = join(import.meta.dirname, '..');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const SPECS = [join(ROOT, 'examples', 'orders-db.galera.yaml'), join(ROOT, 'test', 'fixtures', 'specs', 'matrix.galera.yaml')];

function generate(out: string): void {
  for (const { plan } of planAll(SPECS, out)) apply(plan);
}

function checkBuilt(text: string): string[] {
  return checkInputs(['-'], () => text).findings.map(findingLine);
}

describe('generated overlays through kustomize and check', () => {
  const out = mkdtempSync(join(tmpdir(), 'overlays-'));
  generate(out);

  const envs: [string, string, string[]][] = [
    ['orders-db', 'dev', ['warn odd-replicas StatefulSet orders-dev/orders-db spec.replicas: spec.replicas is 1; a single Galera member has no fault tolerance: use 3 or more members outside development']],
    ['orders-db', 'staging', []],
    ['orders-db', 'prod', []],
    ['inventory', 'dev', ['warn odd-replicas StatefulSet inv-dev/inventory spec.replicas: spec.replicas is 1; a single Galera member has no fault tolerance: use 3 or more members outside development']],
    ['inventory', 'small', []],
    ['inventory', 'medium', []],
    ['inventory', 'large', []],
    ['inventory', 'xlarge', []],
  ];
  for (const [cluster, env, expected] of envs) {
    it(`${cluster}/${env} builds and passes every rule`, () => {
      const built = kustomizeBuild(join(out, cluster, 'envs', env));
      assert.deepEqual(checkBuilt(built).map((l) => l.replace(/^\d+: /, '')), expected);
      assert.match(built, /\nkind: StatefulSet\n/);
    });
  }

  it('sizes each environment: members, resources, storage and spreading', () => {
    const built = kustomizeBuild(join(out, 'inventory', 'envs', 'large'));
    assert.match(built, /\n {2}replicas: 7\n/);
    assert.match(built, /\ndata:\n {2}discard-data-of: ""\n {2}members: "7"\n {2}recover-without: ""\n {2}settings\.cnf: \|\n(.*\n)*kind: ConfigMap\nmetadata:\n(.*\n)* {2}name: inventory-cluster\n {2}namespace: inv-large\n/);
    assert.match(built, /\n {4}innodb_buffer_pool_size=14720M\n/);
    assert.match(built, /limits:\n\s+memory: 24Gi\n\s+requests:\n\s+cpu: "6"\n\s+memory: 24Gi\n/);
    assert.match(built, /storage: 1Ti\n\s+storageClassName: premium\n/);
    assert.match(built, /topologyKey: kubernetes\.io\/hostname/);
    assert.match(kustomizeBuild(join(out, 'inventory', 'envs', 'xlarge')), /whenUnsatisfiable: DoNotSchedule/);
    assert.doesNotMatch(kustomizeBuild(join(out, 'inventory', 'envs', 'dev')), /podAntiAffinity|topologySpreadConstraints/);
  });

  it('builds the Argo CD and Flux folders', () => {
    assert.match(kustomizeBuild(join(out, 'orders-db', 'argocd')), /kind: Application\n/);
    assert.match(kustomizeBuild(join(out, 'inventory', 'flux')), /kind: GitRepository\n/);
  });

  it('keeps a local patch across regeneration, and check catches a bad one', () => {
    const local = join(out, 'orders-db', 'envs', 'staging', 'local', 'kustomization.yaml');
    writeFileSync(local, 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - target: {kind: StatefulSet}\n    patch: |-\n      - op: add\n        path: /spec/template/spec/nodeSelector\n        value: {disktype: ssd}\n');
    generate(out);
    assert.match(readFileSync(local, 'utf8'), /disktype: ssd/);
    const built = kustomizeBuild(join(out, 'orders-db', 'envs', 'staging'));
    assert.match(built, /nodeSelector:\n\s+disktype: ssd\n/);
    assert.deepEqual(checkBuilt(built), []);

    writeFileSync(local, 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - target: {kind: StatefulSet}\n    patch: |-\n      - op: add\n        path: /spec/podManagementPolicy\n        value: Parallel\n');
    generate(out);
    const findings = checkBuilt(kustomizeBuild(join(out, 'orders-db', 'envs', 'staging')));
    assert.equal(findings.length, 1);
    assert.match(findings[0] ?? '', /: deny ordered-ready StatefulSet orders-staging\/orders-db spec\.podManagementPolicy: spec\.podManagementPolicy is Parallel; /);
  });

  it('lets a local patch of replicas and resources win over the generated size', () => {
    const local = join(out, 'orders-db', 'envs', 'staging', 'local', 'kustomization.yaml');
    writeFileSync(local, 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - patch: |-\n      apiVersion: apps/v1\n      kind: StatefulSet\n      metadata: {name: orders-db}\n      spec:\n        replicas: 5\n        template:\n          spec:\n            containers:\n              - name: galera\n                resources: {requests: {cpu: 750m, memory: 3Gi}, limits: {memory: 3Gi}}\n');
    const built = kustomizeBuild(join(out, 'orders-db', 'envs', 'staging'));
    assert.match(built, /\n {2}replicas: 5\n/);
    assert.match(built, /limits:\n\s+memory: 3Gi\n\s+requests:\n\s+cpu: 750m\n\s+memory: 3Gi\n/);
  });
});

describe('the committed overlays/', () => {
  it('is what the bundled example generates (run npm start after changing the generator)', () => {
    const result = spawnSync(process.execPath, [MAIN, 'generate', '--check', '-f', 'examples/orders-db.galera.yaml', '-o', 'overlays'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, 'orders-db: up to date\n');
    assert.equal(result.status, 0);
  });
});
