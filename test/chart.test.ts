/**
 * charts/galera-gitops-webhook with the real, pinned helm: lint, a matrix of values each
 * rendered and applied with `kubectl apply --dry-run=server` to the real apiserver of the
 * end-to-end harness, the rendered webhook configurations (pointed at the test webhook)
 * giving the same verdicts as the harness' own, and wrong values refused by the schema.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments, stringify } from 'yaml';
import { validatingMatchConditions } from '../policies/index.ts';
import { MATCH_CONDITIONS_FILE, renderMatchConditionsFile } from '../scripts/match-conditions-file.ts';
import { TestCluster, WEBHOOK_NAMESPACE } from './support/cluster.ts';
import { tools } from './support/tools.ts';

const CHART = join(import.meta.dirname, '..', 'charts', 'galera-gitops-webhook');
const DENIED = 'admission webhook "validate.galera-gitops.io" denied the request: ';

function helm(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(tools().helm, args, { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const render = (...sets: string[]): string => {
  const r = helm('template', 'gg', CHART, '--namespace', WEBHOOK_NAMESPACE, '--kube-version', '1.37.2', ...sets.flatMap((s) => ['--set', s]));
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
};

describe('the Helm chart', { timeout: 10 * 60_000 }, () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await TestCluster.start();
    cluster.apply('', 'create', 'namespace', WEBHOOK_NAMESPACE);
    cluster.apply('', 'create', 'namespace', 'charted');
    const crds = tools().certManagerCrds;
    for (const file of readdirSync(crds).filter((f) => f.endsWith('.yaml'))) cluster.apply('', 'apply', '--server-side', '-f', join(crds, file));
    for (const crd of ['certificates.cert-manager.io', 'issuers.cert-manager.io']) {
      for (let i = 0; i < 100; i++) {
        if (cluster.kubectl(['get', 'crd', crd, '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}']).stdout === 'True') break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  });
  after(() => {
    cluster.stop();
  });

  it('passes helm lint', () => {
    const r = helm('lint', CHART, '--kube-version', '1.37.2', '--strict');
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  const matrix: [string, string[]][] = [
    ['defaults (self-managed TLS)', []],
    ['cert-manager', ['tls.mode=cert-manager']],
    ['cert-manager with an existing ClusterIssuer', ['tls.mode=cert-manager', 'tls.certManager.issuerRef.name=corp-ca', 'tls.certManager.issuerRef.kind=ClusterIssuer']],
    ['warn mode', ['policy.mode=warn']],
    ['failurePolicy Ignore', ['webhook.failurePolicy=Ignore', 'webhook.timeoutSeconds=3']],
    ['StatefulSets only', ['webhook.workloadKinds=statefulsets']],
  ];
  for (const [name, sets] of matrix) {
    it(`renders and is accepted by the apiserver (dry-run=server): ${name}`, () => {
      const r = cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], render(...sets));
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /validatingwebhookconfiguration\.admissionregistration\.k8s\.io\/gg-galera-gitops-webhook created \(server dry run\)/);
    });
  }

  it('renders the same bytes every time (nothing generated at render time: Argo CD and Flux can sync it), with the filter generated from the catalogue', () => {
    assert.equal(render(), render());
    for (const file of readdirSync(join(CHART, 'templates'))) {
      assert.doesNotMatch(readFileSync(join(CHART, 'templates', file), 'utf8'), /\b(lookup|genCA|genSelfSignedCert|genSignedCert|randAlphaNum|randAscii|uuidv4)\s+["(\d]/, file);
    }
    assert.equal(readFileSync(MATCH_CONDITIONS_FILE, 'utf8'), renderMatchConditionsFile(), 'files/match-conditions.json is stale: npm run chart:match-conditions');
    const validating = parseAllDocuments(render()).map((d) => d.toJS() as { kind: string; webhooks?: { matchConditions: unknown }[] }).find((d) => d.kind === 'ValidatingWebhookConfiguration');
    assert.deepEqual(validating?.webhooks?.[0]?.matchConditions, validatingMatchConditions());
  });

  it('renders what the webhook needs: TLS-only probes, hardened pod, excluded namespaces, scale subresource', () => {
    const docs = parseAllDocuments(render()).map((d) => d.toJS() as { kind: string; spec?: unknown; webhooks?: unknown[] });
    const deployment = docs.find((d) => d.kind === 'Deployment') as { spec: { replicas: number; template: { spec: { securityContext: unknown; containers: { securityContext: unknown; readinessProbe: unknown }[] } } } };
    assert.equal(deployment.spec.replicas, 2);
    assert.deepEqual(deployment.spec.template.spec.securityContext, { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    assert.deepEqual(deployment.spec.template.spec.containers[0]?.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    const validating = docs.find((d) => d.kind === 'ValidatingWebhookConfiguration') as { webhooks: { namespaceSelector: unknown; sideEffects: string; rules: { resources: string[] }[] }[] };
    const hook = validating.webhooks[0];
    assert.ok(hook);
    assert.equal(hook.sideEffects, 'None');
    assert.ok(hook.rules.some((r) => r.resources.includes('statefulsets/scale')));
    assert.deepEqual(hook.namespaceSelector, { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', WEBHOOK_NAMESPACE] }] });
    assert.ok(docs.some((d) => d.kind === 'PodDisruptionBudget'));
    const monitored = parseAllDocuments(render('serviceMonitor.enabled=true', 'serviceMonitor.labels.release=prometheus')).map((d) => d.toJS() as { kind: string; metadata: { labels: Record<string, string> } });
    assert.equal(monitored.find((d) => d.kind === 'ServiceMonitor')?.metadata.labels.release, 'prometheus');
  });

  /** Registers the chart's webhook configurations, rendered with `sets`, pointed at the test webhook. */
  function registerChartWebhooks(...sets: string[]): void {
    const tls = cluster.tls;
    assert.ok(tls);
    const configs = parseAllDocuments(render(...sets))
      .map((d) => d.toJS() as { kind: string; metadata: { name: string }; webhooks?: { clientConfig: Record<string, unknown> }[] })
      .filter((d) => d.kind.endsWith('WebhookConfiguration'));
    for (const config of configs) {
      for (const hook of config.webhooks ?? []) {
        const service = hook.clientConfig.service as { path: string };
        hook.clientConfig = { url: `https://127.0.0.1:${String(cluster.webhookPort)}${service.path}`, caBundle: tls.caBundle };
      }
    }
    cluster.unregisterWebhooks();
    cluster.apply(configs.map((c) => stringify(c)).join('---\n'));
  }

  it('its webhook configurations, pointed at the test webhook, give the same verdicts as the harness', () => {
    registerChartWebhooks();
    const sts = (replicas: number): string => JSON.stringify({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'c', namespace: 'charted', labels: { 'galera-gitops.io/cluster': 'c' } }, spec: { replicas, serviceName: 'c-peers', selector: { matchLabels: { app: 'c' } }, template: { metadata: { labels: { app: 'c' } }, spec: { terminationGracePeriodSeconds: 600, containers: [{ name: 'db', image: 'mariadb:11.4', readinessProbe: { exec: { command: ['healthcheck.sh', '--readiness'] } }, volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql' }] }] } }, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] } });
    const peers = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'c-peers', namespace: 'charted', annotations: { 'service.alpha.kubernetes.io/tolerate-unready-endpoints': 'true' } }, spec: { clusterIP: 'None', selector: { app: 'c' }, ports: [{ port: 4567 }] } });
    cluster.apply(peers);
    assert.equal(cluster.kubectl(['get', 'service', 'c-peers', '-n', 'charted', '-o', 'jsonpath={.spec.publishNotReadyAddresses}']).stdout, 'true');
    const even = cluster.kubectl(['apply', '-f', '-'], sts(4));
    assert.equal(even.status, 1);
    assert.ok(even.stderr.includes(`${DENIED}StatefulSet charted/c breaks a Galera rule:\n- odd-replicas at spec.replicas: spec.replicas is 4; a Galera cluster needs an odd number of members (1, 3, 5, ...) to keep quorum when the network splits: set it to 3 or 5`), even.stderr);
    cluster.apply(sts(3));
    const scale = cluster.kubectl(['scale', 'statefulset', 'c', '-n', 'charted', '--replicas=2']);
    assert.ok(scale.stderr.includes(`${DENIED}Scale charted/c breaks a Galera rule:\n- odd-replicas at spec.replicas: spec.replicas is 2; `), scale.stderr);
    assert.equal(cluster.kubectl(['scale', 'statefulset', 'c', '-n', 'charted', '--replicas=5']).status, 0);
    assert.equal(cluster.kubectl(['apply', '-f', '-'], sts(4).replace('"namespace":"charted"', `"namespace":"${WEBHOOK_NAMESPACE}"`)).status, 0);
  });

  it('webhook.workloadKinds: all denies a Galera Deployment when applied; statefulsets leaves Deployments to check and the audit, and still judges StatefulSets', async () => {
    const deployment = JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'charted', labels: { 'galera-gitops.io/cluster': 'd' } }, spec: { replicas: 3, selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'db', image: 'mariadb:11.4' }] } } } });
    registerChartWebhooks();
    const denied = cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], deployment);
    assert.equal(denied.status, 1, denied.stdout);
    assert.ok(denied.stderr.includes(`${DENIED}Deployment charted/d breaks a Galera rule:\n- stable-identity at kind: kind is Deployment; `), denied.stderr);
    registerChartWebhooks('webhook.workloadKinds=statefulsets');
    // The apiserver picks up a changed configuration within about a second.
    let admitted = cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], deployment);
    for (let i = 0; i < 50 && admitted.status !== 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      admitted = cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], deployment);
    }
    assert.equal(admitted.status, 0, admitted.stderr);
    assert.match(admitted.stdout, /deployment\.apps\/d created \(server dry run\)/);
    const scale = cluster.kubectl(['scale', 'statefulset', 'c', '-n', 'charted', '--replicas=4']);
    assert.ok(scale.stderr.includes(`${DENIED}Scale charted/c breaks a Galera rule:\n- odd-replicas at spec.replicas: spec.replicas is 4; `), scale.stderr);
    cluster.kubectl(['delete', 'validatingwebhookconfiguration,mutatingwebhookconfiguration', 'gg-galera-gitops-webhook']);
    cluster.registerWebhooks('Fail');
  });

  it('refuses wrong values with the schema\'s message', () => {
    const replicas = helm('template', 'gg', CHART, '--kube-version', '1.37.2', '--set', 'replicaCount=two');
    assert.notEqual(replicas.status, 0);
    assert.match(replicas.stderr, /at '\/replicaCount': got string, want integer/);
    const mode = helm('template', 'gg', CHART, '--kube-version', '1.37.2', '--set', 'tls.mode=vault');
    assert.notEqual(mode.status, 0);
    assert.match(mode.stderr, /at '\/tls\/mode': value must be one of 'self-managed', 'cert-manager'/);
    const timeout = helm('template', 'gg', CHART, '--kube-version', '1.37.2', '--set', 'webhook.timeoutSeconds=60');
    assert.match(timeout.stderr, /at '\/webhook\/timeoutSeconds': maximum: got 60, want 30/);
  });
});
