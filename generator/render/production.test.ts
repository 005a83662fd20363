/**
 * What makes the generated cluster a production one: encryption per environment, the
 * metrics exporter and its Prometheus Operator objects, the NetworkPolicy, the accounts'
 * Secrets and the flavor's settings. Runtime behaviour is proven on real pods
 * (test/galera-production.test.ts); this file pins what is rendered.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { specProblems } from '../../test/support/spec-problems.ts';
import { parseSpec } from '../spec.ts';
import { renderTree } from './tree.ts';

const text = readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'orders-db.galera.yaml'), 'utf8');
const render = (source: string): Map<string, string> => renderTree(parseSpec(source, 'examples/orders-db.galera.yaml')).generated;
const tree = render(text);
const docs = (files: Map<string, string>, path: string): Record<string, unknown>[] => {
  const content = files.get(path);
  assert.ok(content !== undefined, `${path} is not rendered`);
  return parseAllDocuments(content).map((d) => d.toJS() as Record<string, unknown>);
};
type Pod = { containers: { name: string; args?: string[]; env: { name: string; value?: string; valueFrom?: unknown }[]; volumeMounts?: unknown[] }[]; volumes?: unknown[] };
const podSpec = (files: Map<string, string>, path: string): Pod => (docs(files, path)[0] as { spec: { template: { spec: Pod } } }).spec.template.spec;
const problems = (source: string): string[] => specProblems(source);

describe('encryption', () => {
  it('is on for medium and larger sizes: server, provider and state-transfer settings, the Secret mounted, cert-manager objects', () => {
    assert.match(tree.get('envs/prod/settings.cnf') ?? '', /\nssl_ca=\/etc\/galera-gitops-tls\/ca\.crt\nssl_cert=\/etc\/galera-gitops-tls\/tls\.crt\nssl_key=\/etc\/galera-gitops-tls\/tls\.key\n\[sst\]\nssl-mode=VERIFY_CA\n$/);
    assert.doesNotMatch(tree.get('envs/staging/settings.cnf') ?? '', /ssl/);
    assert.equal(tree.has('envs/staging/certificates.yaml'), false);
    const prod = podSpec(tree, 'envs/prod/size/statefulset.yaml');
    assert.deepEqual(prod.volumes, [{ name: 'tls', secret: { secretName: 'orders-db-tls', defaultMode: 0o440 } }]);
    assert.deepEqual(prod.containers[0]?.volumeMounts, [{ name: 'tls', mountPath: '/etc/galera-gitops-tls', readOnly: true }]);
    const certificates = docs(tree, 'envs/prod/certificates.yaml');
    assert.deepEqual(certificates.map((d) => `${String(d.kind)}/${(d.metadata as { name: string }).name}`), ['Issuer/orders-db-selfsigned', 'Certificate/orders-db-ca', 'Issuer/orders-db-ca', 'Certificate/orders-db-tls']);
    assert.deepEqual((certificates[3] as { spec: { dnsNames: string[] } }).spec.dnsNames, ['orders-db', 'orders-db.orders-prod.svc', 'orders-db.orders-prod.svc.cluster.local', '*.orders-db-peers.orders-prod.svc', '*.orders-db-peers.orders-prod.svc.cluster.local']);
  });

  it('takes the team\'s Secret or issuer instead, and can be switched per environment', () => {
    const own = render(text.replace('metrics:\n', 'tls:\n  secret: orders-db-certs\nmetrics:\n'));
    assert.equal(own.has('envs/prod/certificates.yaml'), false);
    assert.deepEqual(podSpec(own, 'envs/prod/size/statefulset.yaml').volumes, [{ name: 'tls', secret: { secretName: 'orders-db-certs', defaultMode: 0o440 } }]);
    const issued = docs(render(text.replace('metrics:\n', 'tls:\n  issuer: {name: corp-ca, kind: ClusterIssuer}\nmetrics:\n')), 'envs/prod/certificates.yaml');
    assert.deepEqual(issued.map((d) => d.kind), ['Certificate']);
    assert.deepEqual((issued[0] as { spec: { issuerRef: unknown } }).spec.issuerRef, { name: 'corp-ca', kind: 'ClusterIssuer' });
    const staging = render(text.replace('    size: small\n', '    size: small\n    tls: true\n'));
    assert.match(staging.get('envs/staging/settings.cnf') ?? '', /\nssl_cert=/);
    assert.deepEqual(problems(text.replace('metrics:\n', 'tls:\n  secret: a\n  issuer: {name: b}\nmetrics:\n')), ['x.yaml:31:3: tls: give either secret or issuer, not both']);
  });

  it('cannot be off for Percona XtraDB Cluster 8, which encrypts cluster traffic itself', () => {
    const pxc = text.replace('flavor: mariadb', 'flavor: percona-xtradb-cluster').replace('image: mariadb:11.4.4', 'image: percona/percona-xtradb-cluster:8.0.39').replace(/\nbackup:\n( .*\n)+/, '\n');
    assert.deepEqual(problems(pxc.replace('    size: small\n', '    size: small\n    tls: false\n')), [
      'x.yaml:50:10: environments.staging.tls: Percona XtraDB Cluster 8 encrypts cluster traffic (pxc-encrypt-cluster-traffic) and needs the same certificates on every member: tls cannot be off',
    ]);
    const files = render(pxc);
    assert.match(files.get('envs/staging/settings.cnf') ?? '', /\npxc-encrypt-cluster-traffic=ON\n/);
    assert.doesNotMatch(files.get('envs/staging/settings.cnf') ?? '', /socket\.ssl|\[sst\]/);
    assert.match(files.get('base/configmap.yaml') ?? '', /\n\s+plugin-load-add=auth_socket\.so\n/);
  });
});

describe('metrics', () => {
  it('runs mysqld_exporter beside each member as the monitoring account, behind a headless metrics Service', () => {
    const exporter = podSpec(tree, 'base/statefulset.yaml').containers[1];
    assert.equal(exporter?.name, 'metrics');
    assert.deepEqual(exporter.args, ['--mysqld.address=127.0.0.1:3306', '--mysqld.username=galera_monitor', '--web.listen-address=:9104']);
    assert.deepEqual(exporter.env, [{ name: 'MYSQLD_EXPORTER_PASSWORD', valueFrom: { secretKeyRef: { name: 'orders-db-monitor', key: 'password' } } }]);
    const [service] = docs(tree, 'base/service-metrics.yaml') as [{ metadata: { name: string }; spec: Record<string, unknown> }];
    assert.equal(service.metadata.name, 'orders-db-metrics');
    assert.deepEqual(service.spec, { clusterIP: 'None', publishNotReadyAddresses: true, selector: { 'galera-gitops.io/cluster': 'orders-db' }, ports: [{ name: 'metrics', port: 9104, targetPort: 9104 }] });
    const off = render(text.replace('metrics:\n  prometheusOperator: true\n', 'metrics:\n  enabled: false\n'));
    assert.equal(podSpec(off, 'base/statefulset.yaml').containers.length, 1);
    assert.equal(off.has('base/service-metrics.yaml') || off.has('envs/prod/monitoring.yaml'), false);
  });

  it('gives each environment a ServiceMonitor and alerts sized by its member count', () => {
    const [monitor, rule] = docs(tree, 'envs/prod/monitoring.yaml') as [{ kind: string; spec: unknown }, { kind: string; spec: { groups: { rules: { alert: string; expr: string }[] }[] } }];
    assert.equal(monitor.kind, 'ServiceMonitor');
    assert.deepEqual(monitor.spec, { selector: { matchLabels: { 'galera-gitops.io/cluster': 'orders-db', 'galera-gitops.io/service': 'metrics' } }, endpoints: [{ port: 'metrics', interval: '30s', scrapeTimeout: '10s' }] });
    const rules = rule.spec.groups[0]?.rules ?? [];
    assert.deepEqual(rules.map((r) => r.alert), ['GaleraMemberDown', 'GaleraClusterSizeLow', 'GaleraQuorumAtRisk', 'GaleraNoPrimaryComponent', 'GaleraNotPrimary', 'GaleraMemberNotSynced', 'GaleraFlowControlPaused', 'GaleraCertificationFailures', 'GaleraBackupFailed', 'GaleraBackupTooOld']);
    assert.equal(rules[1]?.expr, 'max(mysql_global_status_wsrep_cluster_size{job="orders-db-metrics", namespace="orders-prod"}) < 5');
    assert.equal(rules[2]?.expr, 'max(mysql_global_status_wsrep_cluster_size{job="orders-db-metrics", namespace="orders-prod"}) <= 3');
    // One member has no quorum to put at risk.
    const dev = (docs(tree, 'envs/dev/monitoring.yaml')[1] as typeof rule).spec.groups[0]?.rules ?? [];
    assert.equal(dev.some((r) => r.alert === 'GaleraQuorumAtRisk'), false);
    assert.equal(render(text.replace('  prometheusOperator: true\n', '  prometheusOperator: false\n')).has('envs/prod/monitoring.yaml'), false);
  });
});

describe('network policy', () => {
  it('opens Galera ports between members only, 3306 to clients, the exporter to monitoring', () => {
    const [policy] = docs(tree, 'base/networkpolicy.yaml') as [{ spec: { ingress: unknown[] } }];
    const members = { podSelector: { matchLabels: { 'galera-gitops.io/cluster': 'orders-db' } } };
    const tcp = (port: number): unknown => ({ protocol: 'TCP', port });
    assert.deepEqual(policy.spec.ingress, [
      { from: [members], ports: [tcp(3307), tcp(4444), tcp(4567), tcp(4568)] },
      { ports: [tcp(3306)] },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [tcp(9104)] },
    ]);
    const narrowed = docs(render(text.replace('metrics:\n', 'networkPolicy:\n  clientNamespaces: [shop]\n  monitoringNamespace: observability\nmetrics:\n')), 'base/networkpolicy.yaml') as [{ spec: { ingress: { from?: unknown[] }[] } }];
    assert.deepEqual(narrowed[0].spec.ingress[1]?.from, [members, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } }]);
    assert.equal(render(text.replace('metrics:\n', 'networkPolicy: {enabled: false}\nmetrics:\n')).has('base/networkpolicy.yaml'), false);
  });

  it('declares every port the server and the scripts use on the governing Service', () => {
    const [peers] = docs(tree, 'base/service-peers.yaml') as [{ spec: { ports: { name: string; port: number }[] } }];
    assert.deepEqual(peers.spec.ports.map((p) => `${p.name}:${String(p.port)}`), ['mysql:3306', 'election:3307', 'sst:4444', 'galera:4567', 'ist:4568']);
  });
});

describe('accounts', () => {
  it('hands the root, monitoring and application passwords to the server from Secrets, and no state-transfer password at all', () => {
    const server = podSpec(tree, 'base/statefulset.yaml').containers[0];
    const env = Object.fromEntries((server?.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
    assert.deepEqual(env.MYSQL_ROOT_PASSWORD, { secretKeyRef: { name: 'orders-db-root', key: 'password' } });
    assert.deepEqual(env.GALERA_MONITOR_PASSWORD, { secretKeyRef: { name: 'orders-db-monitor', key: 'password' } });
    assert.deepEqual(env.GALERA_APP_PASSWORD, { secretKeyRef: { name: 'orders-db-app', key: 'password' } });
    assert.equal(env.GALERA_APP_DATABASE, 'app');
    assert.equal(Object.keys(env).some((name) => /SST/.test(name)), false);
    assert.deepEqual(problems(text.replace('  monitor: orders-db-monitor  # the monitoring account\'s (probes of peers, metrics exporter)\n', '  sst: orders-db-sst\n')), ['x.yaml:20:3: secrets.sst: unknown field; known fields: root, monitor']);
  });
});
