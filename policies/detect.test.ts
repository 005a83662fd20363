import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bundleRelated } from './bundle.ts';
import { detectGalera, galeraWords } from './detect.ts';
import { statefulSet } from '../test/support/objects.ts';
import type { KubeObject } from './types.ts';

const none = bundleRelated([]);

function withContainer(container: Record<string, unknown>, kind = 'StatefulSet', name = 'db'): KubeObject {
  const sts = statefulSet(name, { template: { spec: { containers: [{ name: 'main', ...container }] } } });
  return { ...sts, kind };
}

describe('detectGalera', () => {
  const cases: [string, KubeObject, string[]][] = [
    ['the project label on the object', statefulSet('db', {}, { labels: { 'galera-gitops.io/cluster': 'orders' } }), ['label galera-gitops.io/cluster=orders']],
    ['the project label on the pod template', statefulSet('db', { template: { metadata: { labels: { 'galera-gitops.io/cluster': 'x' } }, spec: { containers: [] } } }), ['label galera-gitops.io/cluster=x']],
    ['4567 next to 3306', withContainer({ image: 'mariadb:11', ports: [{ containerPort: 3306 }, { containerPort: 4567 }] }), ['container ports 3306, 4567 on container "main"']],
    ['two replication ports', withContainer({ image: 'x', ports: [{ containerPort: 4568 }, { containerPort: 4444 }] }), ['container ports 4444, 4568 on container "main"']],
    ['gcomm:// in args', withContainer({ image: 'mariadb:11', args: ['--wsrep_cluster_address=gcomm://a,b'] }), ['wsrep/gcomm:// in command/args of container "main"']],
    ['a WSREP_ env name', withContainer({ image: 'mariadb:11', env: [{ name: 'WSREP_NODE_NAME', valueFrom: {} }] }), ['wsrep/gcomm:// in env WSREP_NODE_NAME of container "main"']],
    ['a galera image', withContainer({ image: 'docker.io/bitnami/mariadb-galera:11.4.4' }), ['image docker.io/bitnami/mariadb-galera:11.4.4']],
    ['a pxc image', withContainer({ image: 'registry.example/pxc:8.0@sha256:abc' }), ['image registry.example/pxc:8.0@sha256:abc']],
    ['a percona-xtradb-cluster image', withContainer({ image: 'percona/percona-xtradb-cluster:8.0' }), ['image percona/percona-xtradb-cluster:8.0']],
    ['a StatefulSet named galera', withContainer({ image: 'mariadb:11' }, 'StatefulSet', 'galera-ss'), ['name "galera-ss"']],
    // Seed 001's Deployment variant: only 3306, peers found through etcd.
    ['a Deployment named galera running a MySQL server on 3306', withContainer({ image: 'severalnines/mariadb:10.1', ports: [{ containerPort: 3306 }], env: [{ name: 'DISCOVERY_SERVICE', value: 'etcd-client:2379' }] }, 'Deployment', 'galera'), ['name "galera" with MySQL server container "main" (image severalnines/mariadb:10.1 on port 3306)']],
    ['a bare Pod named pxc-0 running mysqld', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pxc-0', namespace: 'db' }, spec: { containers: [{ name: 'main', image: 'mysql:8.0', ports: [{ containerPort: 3306 }] }] } }, ['name "pxc-0" with MySQL server container "main" (image mysql:8.0 on port 3306)']],
  ];
  for (const [what, obj, signals] of cases) {
    it(`recognises ${what}`, () => {
      assert.deepEqual(detectGalera(obj, none), { galera: true, signals });
    });
  }

  const lookalikes: [string, KubeObject][] = [
    ['a plain mariadb image', withContainer({ image: 'mariadb:11.4', ports: [{ containerPort: 3306 }] })],
    ['a mysql image', withContainer({ image: 'mysql:8.4', ports: [{ containerPort: 3306 }, { containerPort: 33060 }] })],
    ['Selenium Grid on 4444 alone', withContainer({ image: 'selenium/hub:4', ports: [{ containerPort: 4444 }] }, 'Deployment')],
    ['Sinatra on 4567 alone', withContainer({ image: 'ruby:3', ports: [{ containerPort: 4567 }] }, 'Deployment')],
    ['a Galera port only as a tag', withContainer({ image: 'app:4567' })],
    ['the word galera in a tag', withContainer({ image: 'nginx:galera' })],
    ['an operator image', withContainer({ image: 'percona/percona-xtradb-cluster-operator:1.16' }, 'Deployment')],
    ['the mariadb-operator', withContainer({ image: 'docker-registry3.mariadb.com/mariadb-operator/mariadb-operator:0.38' }, 'Deployment')],
    ['a Deployment named galera-dashboard (names count for StatefulSets only)', withContainer({ image: 'grafana/grafana:11' }, 'Deployment', 'galera-dashboard')],
    ['a word that only contains pxc', withContainer({ image: 'pxcloud/agent:1' }, 'StatefulSet', 'wpxc')],
    ['a Deployment named galera with a MySQL image not listening on 3306', withContainer({ image: 'mariadb:11.4' }, 'Deployment', 'galera')],
    ['a Deployment named galera-haproxy on 3306', withContainer({ image: 'haproxy:3.0', ports: [{ containerPort: 3306 }] }, 'Deployment', 'galera-haproxy')],
    ['a Deployment named galera-proxy running a MySQL image (a tool by its name)', withContainer({ image: 'mariadb:11.4', ports: [{ containerPort: 3306 }] }, 'Deployment', 'galera-proxy')],
    ['a Deployment named galera of a MySQL tool image on 3306', withContainer({ image: 'mariadb/maxscale:24.02', ports: [{ containerPort: 3306 }] }, 'Deployment', 'galera')],
  ];
  for (const [what, obj] of lookalikes) {
    it(`does not recognise ${what}`, () => {
      assert.deepEqual(detectGalera(obj, none), { galera: false, signals: [] });
    });
  }

  it('reads wsrep settings from a mounted ConfigMap when it is visible', () => {
    const sts = withContainer({ image: 'mariadb:11' });
    const spec = (sts.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    spec.volumes = [{ name: 'cnf', configMap: { name: 'cnf' } }];
    const configMap: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cnf', namespace: 'db' }, data: { 'my.cnf': 'wsrep_on=ON' } };
    assert.deepEqual(detectGalera(sts, bundleRelated([configMap])).signals, ['wsrep settings in ConfigMap "cnf" mounted by the pods']);
    assert.equal(detectGalera(sts, none).galera, false);
  });

  it('lists every matched signal, strongest first', () => {
    const sts = statefulSet('galera', { template: { spec: { containers: [{ name: 'db', image: 'bitnami/mariadb-galera:11', ports: [{ containerPort: 3306 }, { containerPort: 4567 }] }] } } }, { labels: { 'galera-gitops.io/cluster': 'g' } });
    assert.deepEqual(detectGalera(sts, none).signals, ['label galera-gitops.io/cluster=g', 'container ports 3306, 4567 on container "db"', 'image bitnami/mariadb-galera:11', 'name "galera"']);
  });

  it('skips an object that opts out, even with every signal', () => {
    const sts = statefulSet('galera', {}, { labels: { 'galera-gitops.io/cluster': 'g', 'galera-gitops.io/ignore': 'true' } });
    assert.deepEqual(detectGalera(sts, none), { galera: false, signals: [], skipped: 'label galera-gitops.io/ignore=true' });
  });

  it('skips an object another object controls', () => {
    const owner = { kind: 'MariaDB', name: 'm', controller: true };
    const sts = statefulSet('galera', {}, { ownerReferences: [owner] });
    assert.deepEqual(detectGalera(sts, none), { galera: false, signals: [], skipped: 'controlled by MariaDB "m", which is judged instead' });
  });

  it('never throws on wrongly typed fields', () => {
    const odd: KubeObject = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 3, labels: 'x' }, spec: { template: { spec: { containers: 'nope', volumes: [null, 1] } } } };
    assert.deepEqual(detectGalera(odd, none), { galera: false, signals: [] });
  });
});

describe('galeraWords', () => {
  it('matches whole words only', () => {
    assert.equal(galeraWords('mariadb-galera'), true);
    assert.equal(galeraWords('galeracluster'), false);
    assert.equal(galeraWords('percona-xtradb-cluster-80'), true);
  });
});
