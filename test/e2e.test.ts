/**
 * End to end through a real kube-apiserver and the real kubectl: generated overlays, every
 * deny rule, kubectl scale, mutation, dry-run, warn mode, GitOps tracking, the Argo CD and
 * Flux objects against their CRDs, and a stopped webhook.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { planAll } from '../generator/generate.ts';
import { apply as writePlan } from '../generator/write.ts';
import { TestCluster, WEBHOOK_NAMESPACE } from './support/cluster.ts';
import { installCrds } from './support/crds.ts';
import { kustomizeBuild, tools } from './support/tools.ts';

const ROOT = join(import.meta.dirname, '..');
const DENIED = 'admission webhook "validate.galera-gitops.io" denied the request: ';

function sts(name: string, namespace: string, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}, pod: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace, labels: { 'galera-gitops.io/cluster': name }, ...metadata },
    spec: {
      replicas: 3,
      serviceName: `${name}-peers`,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { terminationGracePeriodSeconds: 600, containers: [{ name: 'db', image: 'mariadb:11.4', readinessProbe: { exec: { command: ['healthcheck.sh', '--readiness'] } }, volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql' }] }], ...pod },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      ...spec,
    },
  });
}

function peers(name: string, namespace: string, spec: Record<string, unknown> = {}): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: `${name}-peers`, namespace }, spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: { app: name }, ports: [{ port: 4567 }], ...spec } });
}

describe('end to end through a real kube-apiserver', { timeout: 20 * 60_000 }, () => {
  let cluster: TestCluster;
  const out = mkdtempSync(join(tmpdir(), 'e2e-overlays-'));

  before(async () => {
    cluster = await TestCluster.start();
    for (const { plan } of planAll([join(ROOT, 'examples', 'orders-db.galera.yaml')], out)) writePlan(plan);
    for (const ns of ['orders-dev', 'orders-staging', 'orders-prod', 'rules', WEBHOOK_NAMESPACE, 'argocd', 'flux-system']) cluster.apply('', 'create', 'namespace', ns);
    // The example's environments carry cert-manager Certificates and Prometheus Operator objects.
    installCrds((args, input) => cluster.kubectl(args, input), [tools().certManagerCrds, tools().monitoringCrds]);
  });

  after(() => {
    cluster.stop();
  });

  it('applies every generated overlay with server-side apply, and kubectl get shows what the generator wrote', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const r = cluster.apply(kustomizeBuild(join(out, 'orders-db', 'envs', env)), 'apply', '--server-side', '-f', '-');
      assert.match(r.stdout, /statefulset\.apps\/orders-db serverside-applied/);
    }
    const stored = JSON.parse(cluster.apply('', 'get', 'statefulset', 'orders-db', '-n', 'orders-prod', '-o', 'json').stdout) as { spec: { replicas: number; podManagementPolicy: string; serviceName: string; volumeClaimTemplates: { spec: { storageClassName: string } }[] } };
    assert.equal(stored.spec.replicas, 5);
    assert.equal(stored.spec.podManagementPolicy, 'OrderedReady');
    assert.equal(stored.spec.serviceName, 'orders-db-peers');
    assert.equal(stored.spec.volumeClaimTemplates[0]?.spec.storageClassName, 'fast-ssd');
    const service = JSON.parse(cluster.apply('', 'get', 'service', 'orders-db-peers', '-n', 'orders-staging', '-o', 'json').stdout) as { spec: { clusterIP: string; publishNotReadyAddresses: boolean } };
    assert.deepEqual([service.spec.clusterIP, service.spec.publishNotReadyAddresses], ['None', true]);
  });

  const cases: [string, string[], string][] = [
    ['odd-replicas', [peers('a', 'rules'), sts('a', 'rules', { replicas: 4 })], 'StatefulSet rules/a breaks a Galera rule:\n- odd-replicas at spec.replicas: spec.replicas is 4; a Galera cluster needs an odd number of members (1, 3, 5, ...) to keep quorum when the network splits: set it to 3 or 5'],
    ['governing-service', [peers('b', 'rules', { clusterIP: '10.96.0.77', publishNotReadyAddresses: false, ports: [{ port: 3306 }] }), sts('b', 'rules')], 'StatefulSet rules/b breaks 2 Galera rules:\n- governing-service at spec.serviceName: spec.serviceName is "b-peers", whose spec.clusterIP is "10.96.0.77"; a Galera governing Service must be headless'],
    ['rwo-storage', [peers('c', 'rules'), sts('c', 'rules', { volumeClaimTemplates: [] }, {}, { volumes: [{ name: 'data', emptyDir: {} }] })], '- rwo-storage at spec.template.spec.volumes[0].emptyDir: the data directory /var/lib/mysql of container "db" is on emptyDir volume "data"'],
    ['ordered-ready', [peers('d', 'rules'), sts('d', 'rules', { podManagementPolicy: 'Parallel' })], '- ordered-ready at spec.podManagementPolicy: spec.podManagementPolicy is Parallel; '],
    ['termination-grace', [peers('e', 'rules'), sts('e', 'rules', {}, {}, { terminationGracePeriodSeconds: 0 })], '- termination-grace at spec.template.spec.terminationGracePeriodSeconds: spec.template.spec.terminationGracePeriodSeconds is 0; '],
    ['plaintext-credentials', [peers('f', 'rules'), sts('f', 'rules', {}, {}, { containers: [{ name: 'db', image: 'mariadb:11.4', readinessProbe: { exec: { command: ['healthcheck.sh', '--readiness'] } }, env: [{ name: 'MARIADB_ROOT_PASSWORD', value: 'hunter2' }], volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql' }] }] })], '- plaintext-credentials at spec.template.spec.containers[0].env[0].value: env MARIADB_ROOT_PASSWORD of container "db" has a literal value; '],
    ['stable-identity', [JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'g', namespace: 'rules' }, spec: { replicas: 3, selector: { matchLabels: { app: 'g' } }, template: { metadata: { labels: { app: 'g' } }, spec: { terminationGracePeriodSeconds: 600, containers: [{ name: 'db', image: 'bitnami/mariadb-galera:11.4' }] } } } })], 'Deployment rules/g breaks a Galera rule:\n- stable-identity at kind: kind is Deployment; '],
  ];
  for (const [rule, manifests, message] of cases) {
    it(`rejects a manifest that breaks ${rule}, and kubectl shows our message`, () => {
      for (const manifest of manifests.slice(0, -1)) cluster.apply(manifest);
      const r = cluster.kubectl(['apply', '-f', '-'], manifests.at(-1));
      assert.equal(r.status, 1);
      assert.ok(r.stderr.includes(DENIED), r.stderr);
      assert.ok(r.stderr.includes(message), `${r.stderr}\nshould include\n${message}`);
    });
  }

  it('kubectl scale: 4 members is rejected, 5 accepted; a StatefulSet that is not Galera scales to 2 freely', () => {
    const four = cluster.kubectl(['scale', 'statefulset', 'orders-db', '-n', 'orders-staging', '--replicas=4']);
    assert.equal(four.status, 1);
    assert.ok(four.stderr.includes(`${DENIED}Scale orders-staging/orders-db breaks a Galera rule:\n- odd-replicas at spec.replicas: spec.replicas is 4; `), four.stderr);
    assert.equal(cluster.kubectl(['scale', 'statefulset', 'orders-db', '-n', 'orders-staging', '--replicas=5']).status, 0);
    cluster.apply(JSON.stringify({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'rules' }, spec: { replicas: 3, serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } } } }));
    const two = cluster.kubectl(['scale', 'statefulset', 'web', '-n', 'rules', '--replicas=2']);
    assert.equal(two.status, 0, two.stderr);
  });

  it('stores a Service that relies on the deprecated annotation with publishNotReadyAddresses, and a re-apply changes nothing', () => {
    const manifest = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'galera', namespace: 'rules', annotations: { 'service.alpha.kubernetes.io/tolerate-unready-endpoints': 'true' } }, spec: { clusterIP: 'None', selector: { app: 'mysql' }, ports: [{ port: 3306, name: 'mysql' }] } });
    assert.match(cluster.apply(manifest).stdout, /service\/galera created/);
    const get = (): { metadata: { resourceVersion: string }; spec: { publishNotReadyAddresses?: boolean } } => JSON.parse(cluster.apply('', 'get', 'service', 'galera', '-n', 'rules', '-o', 'json').stdout) as { metadata: { resourceVersion: string }; spec: { publishNotReadyAddresses?: boolean } };
    const first = get();
    assert.equal(first.spec.publishNotReadyAddresses, true);
    assert.match(cluster.apply(manifest).stdout, /service\/galera unchanged/);
    assert.equal(get().metadata.resourceVersion, first.metadata.resourceVersion);
  });

  it('--dry-run=server gives the same verdicts and creates nothing', () => {
    const bad = cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], sts('h', 'rules', { replicas: 4 }));
    assert.equal(bad.status, 1);
    assert.ok(bad.stderr.includes(`${DENIED}StatefulSet rules/h breaks a Galera rule:\n- odd-replicas at spec.replicas: spec.replicas is 4;`), bad.stderr);
    const good = cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], sts('h', 'rules'));
    assert.match(good.stdout, /statefulset\.apps\/h created \(server dry run\)/);
    assert.equal(cluster.kubectl(['get', 'statefulset', 'h', '-n', 'rules']).status, 1);
  });

  it('accepts a violating object in a namespace labelled for warn mode, and kubectl prints our warning', async () => {
    cluster.apply('', 'create', 'namespace', 'relaxed');
    cluster.apply('', 'label', 'namespace', 'relaxed', 'galera-gitops.io/mode=warn');
    let r = cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], sts('w', 'relaxed', { replicas: 4 }));
    // The label reaches the webhook's cache through its watch: give it a moment.
    for (let i = 0; i < 50 && r.status !== 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      r = cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], sts('w', 'relaxed', { replicas: 4 }));
    }
    r = cluster.kubectl(['apply', '-f', '-'], sts('w', 'relaxed', { replicas: 4 }));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^Warning: odd-replicas: spec\.replicas is 4; a Galera cluster needs an odd number of members/m);
  });

  it('names the Argo CD Application and the Flux Kustomization that applied the object', () => {
    const argo = cluster.kubectl(['apply', '-f', '-'], sts('i', 'rules', { replicas: 4 }, { annotations: { 'argocd.argoproj.io/tracking-id': 'orders-db-prod:apps/StatefulSet:rules/i' } }));
    assert.ok(argo.stderr.includes(`${DENIED}StatefulSet rules/i breaks a Galera rule (applied by Argo CD Application orders-db-prod: fix it there):`), argo.stderr);
    const flux = cluster.kubectl(['apply', '-f', '-'], sts('j', 'rules', { replicas: 4 }, { labels: { 'galera-gitops.io/cluster': 'j', 'kustomize.toolkit.fluxcd.io/name': 'orders-db-prod', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } }));
    assert.ok(flux.stderr.includes(`${DENIED}StatefulSet rules/j breaks a Galera rule (applied by Flux Kustomization flux-system/orders-db-prod: fix it there):`), flux.stderr);
  });

  it('accepts the generated Argo CD and Flux objects once those projects\' pinned CRDs are installed', async () => {
    const t = tools();
    for (const dir of [t.argocdCrds, t.fluxCrds]) {
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) cluster.apply('', 'apply', '--server-side', '-f', join(dir, file));
    }
    // kubectl wait gives up on a CRD whose status has no conditions yet, so poll.
    for (const crd of ['applications.argoproj.io', 'kustomizations.kustomize.toolkit.fluxcd.io', 'gitrepositories.source.toolkit.fluxcd.io']) {
      for (let i = 0; i < 100; i++) {
        if (cluster.kubectl(['get', 'crd', crd, '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}']).stdout === 'True') break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    assert.match(cluster.apply(kustomizeBuild(join(out, 'orders-db', 'argocd')), 'apply', '--server-side', '-f', '-').stdout, /application\.argoproj\.io\/orders-db-prod serverside-applied/);
    assert.match(cluster.apply(kustomizeBuild(join(out, 'orders-db', 'flux')), 'apply', '--server-side', '-f', '-').stdout, /kustomization\.kustomize\.toolkit\.fluxcd\.io\/orders-db-prod serverside-applied/);
  });

  it('with the webhook down and failurePolicy Fail, a Galera apply fails clearly and kube-system and our namespace are not blocked', () => {
    cluster.stopWebhook();
    const blocked = cluster.kubectl(['apply', '-f', '-'], sts('k', 'rules'));
    assert.equal(blocked.status, 1);
    assert.match(blocked.stderr, /Internal error occurred: failed calling webhook "validate\.galera-gitops\.io"/);
    for (const ns of ['kube-system', WEBHOOK_NAMESPACE]) {
      const r = cluster.kubectl(['apply', '-f', '-'], sts('k', ns, { replicas: 4 }));
      assert.equal(r.status, 0, `${ns}: ${r.stderr}`);
    }
    assert.equal(cluster.kubectl(['create', 'configmap', 'unrelated', '-n', 'rules']).status, 0);
  });
});
