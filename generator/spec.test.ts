import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseSpec, SpecError } from './spec.ts';

const EXAMPLE = join(import.meta.dirname, '..', 'examples', 'orders-db.galera.yaml');
const example = readFileSync(EXAMPLE, 'utf8');

function problems(text: string): string[] {
  try {
    parseSpec(text, 'spec.yaml');
  } catch (error) {
    if (error instanceof SpecError) return error.problems;
    throw error;
  }
  assert.fail('the spec was accepted');
}

const minimal = 'name: db\nnamespace: shop\nflavor: mariadb\nimage: mariadb:11.4\nsecrets: {root: r}\nenvironments:\n  prod:\n    size: medium\n';

describe('parseSpec', () => {
  it('resolves the bundled example with the sizes and defaults', () => {
    const spec = parseSpec(example, 'examples/orders-db.galera.yaml');
    assert.deepEqual(spec.environments, [
      { name: 'dev', size: 'dev', members: 1, cpu: '250m', memory: '1Gi', storage: { size: '5Gi', class: undefined }, spread: 'none', namespace: 'orders-dev', server: 'https://kubernetes.default.svc', tls: false, backup: false, recovery: { recoverWithout: [], discardDataOf: [] } },
      { name: 'staging', size: 'small', members: 3, cpu: '500m', memory: '2Gi', storage: { size: '20Gi', class: undefined }, spread: 'none', namespace: 'orders-staging', server: 'https://kubernetes.default.svc', tls: false, backup: true, recovery: { recoverWithout: [], discardDataOf: [] } },
      { name: 'prod', size: 'large', members: 5, cpu: '4', memory: '16Gi', storage: { size: '200Gi', class: 'fast-ssd' }, spread: 'zone', namespace: 'orders-prod', server: 'https://kubernetes.default.svc', tls: true, backup: true, recovery: { recoverWithout: [], discardDataOf: [] } },
    ]);
    assert.deepEqual(spec.secrets, { root: 'orders-db-root', monitor: 'orders-db-monitor' });
    assert.deepEqual(spec.app, { database: 'app', user: 'app', secret: 'orders-db-app' });
    assert.deepEqual(spec.tls, { kind: 'self-signed' });
    assert.deepEqual(spec.metrics, { enabled: true, image: 'quay.io/prometheus/mysqld-exporter:v0.19.0', prometheusOperator: true });
    assert.deepEqual(spec.networkPolicy, { enabled: true, clientNamespaces: undefined, monitoringNamespace: 'monitoring' });
    assert.deepEqual(spec.backup, { schedule: '30 2 * * *', retention: 7, verify: 'restore', maxAgeHours: 26, destination: { kind: 'pvc', size: '100Gi', class: undefined } });
    assert.deepEqual(spec.gitops, { targets: ['argocd', 'flux'], repoURL: 'https://git.example.com/platform/databases.git', revision: 'main', path: 'overlays/orders-db', argocd: { namespace: 'argocd', project: 'default' }, flux: { namespace: 'flux-system' } });
  });

  it('names file, line, column and field of an unknown field, with a did-you-mean', () => {
    assert.deepEqual(problems(`${minimal}    replcas: 3\n`), ['spec.yaml:9:5: environments.prod.replcas: unknown field; did you mean "replicas"?']);
    assert.deepEqual(problems(`${minimal}gitopz: {}\n`), ['spec.yaml:9:1: gitopz: unknown field; did you mean "gitops"?']);
  });

  it('lists the known fields when nothing is close', () => {
    assert.deepEqual(problems(`${minimal}colour: blue\n`), ['spec.yaml:9:1: colour: unknown field; known fields: name, namespace, flavor, image, secrets, app, environments, tls, metrics, networkPolicy, backup, mysqld, gitops']);
  });

  it('takes extra [mysqld] settings, except those Galera needs or start.sh owns', () => {
    assert.deepEqual(parseSpec(`${minimal}mysqld:\n  max_allowed_packet: 64M\n  max_connections: 500\n`, 'spec.yaml').mysqld, [['max_allowed_packet', '64M'], ['max_connections', '500']]);
    assert.deepEqual(problems(`${minimal}mysqld:\n  binlog-format: STATEMENT\n  wsrep_cluster_address: gcomm://x\n`), [
      'spec.yaml:10:3: mysqld.binlog-format: cannot be set here: Galera replicates row events only (ROW)',
      'spec.yaml:11:3: mysqld.wsrep_cluster_address: cannot be set here: start.sh lists the peers through the governing Service',
    ]);
  });

  it('refuses an image that is not pinned, or not of the flavor', () => {
    assert.deepEqual(problems(minimal.replace('image: mariadb:11.4', 'image: mariadb:latest')), ['spec.yaml:4:8: image: "mariadb:latest" is not pinned: name a version (for example mariadb:11.4.4) or a digest, so that every member and every environment runs the same server and an upgrade is a commit']);
    assert.deepEqual(problems(minimal.replace('image: mariadb:11.4', 'image: registry.local:5000/mariadb')), ['spec.yaml:4:8: image: "registry.local:5000/mariadb" is not pinned: name a version (for example registry.local:5000/mariadb:11.4.4) or a digest, so that every member and every environment runs the same server and an upgrade is a commit']);
    assert.deepEqual(problems(minimal.replace('flavor: mariadb', 'flavor: percona-xtradb-cluster')), ['spec.yaml:4:8: image: "mariadb:11.4" is not a Percona XtraDB Cluster image, but flavor is percona-xtradb-cluster: use percona/percona-xtradb-cluster:<version>, or flavor mariadb']);
    assert.deepEqual(problems(minimal.replace('image: mariadb:11.4', 'image: percona/percona-xtradb-cluster:8.0.39')), ['spec.yaml:4:8: image: "percona/percona-xtradb-cluster:8.0.39" is not a MariaDB image, but flavor is mariadb: use mariadb:<version>, or flavor percona-xtradb-cluster']);
    assert.equal(parseSpec(minimal.replace('image: mariadb:11.4', 'image: mariadb@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'), 'spec.yaml').image.length, 79);
  });

  it('reports missing fields, wrong enum values and bad names', () => {
    assert.deepEqual(problems(minimal.replace('image: mariadb:11.4\n', '')), ['spec.yaml:1:1: image: required field is missing']);
    assert.deepEqual(problems(minimal.replace('size: medium', 'size: medum')), ['spec.yaml:8:11: environments.prod.size: "medum" is not one of dev, small, medium, large, xlarge; did you mean "medium"?']);
    assert.deepEqual(problems(minimal.replace('name: db', 'name: Orders_DB')), ['spec.yaml:1:7: name: "Orders_DB" is not valid here (lowercase letters, digits and "-", starting and ending with a letter or digit)']);
    assert.deepEqual(problems(`${minimal}    memory: 2 GB\n`), ['spec.yaml:9:13: environments.prod.memory: "2 GB" is not valid here (a Kubernetes quantity such as 500m, 2Gi or 100Gi)']);
  });

  it('refuses an even member count with the words of the odd-replicas rule', () => {
    assert.deepEqual(problems(`${minimal}    replicas: 4\n`), ['spec.yaml:9:15: environments.prod.replicas is 4; a Galera cluster needs an odd number of members (1, 3, 5, ...) to keep quorum when the network splits: set it to 3 or 5']);
  });

  it('refuses two environments in one namespace of one cluster', () => {
    assert.deepEqual(problems(`${minimal}    namespace: shared\n  qa:\n    size: small\n    namespace: shared\n`), [
      'spec.yaml:12:16: environments.qa.namespace: environments prod and qa would both deploy db into namespace shared on https://kubernetes.default.svc: give one of them its own namespace',
    ]);
  });

  it('reports a YAML syntax error with its position', () => {
    assert.deepEqual(problems('name: [db\n'), ['spec.yaml:2:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]']);
  });
});
