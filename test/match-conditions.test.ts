/**
 * The admission filter through the real kube-apiserver: every object `check` judges as
 * Galera, in the whole fixture corpus and in fuzzed workloads, reaches the webhook (none
 * slips past the matchConditions), and the non-Galera look-alikes do not. "Reaches" is
 * what the running webhook logged: the apiserver only calls it when the filter is true.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { loadInputs } from '../cli/check/load.ts';
import { toCurrentApi } from '../policies/api-versions.ts';
import { bundleRelated, detectGalera, galeraServiceReason, normalise, type KubeObject, type Related } from '../policies/index.ts';
import { TestCluster } from './support/cluster.ts';
import { corpus } from './support/corpus.ts';
import { sleep } from './support/processes.ts';

const NONE: Related = { scope: 'none', get: () => undefined, list: () => [] };
const WORKLOADS = ['StatefulSet', 'Deployment', 'ReplicaSet', 'DaemonSet', 'ReplicationController', 'Pod'];

/** What `check` judges as Galera from the object itself and its bundle (what a filter can know). */
function judgedAsGalera(obj: KubeObject, related: Related): boolean {
  const o = normalise(obj);
  if (WORKLOADS.includes(o.kind)) return detectGalera(o, related).galera;
  if (o.kind === 'Service') return galeraServiceReason(o, NONE) !== undefined;
  if (o.kind === 'HorizontalPodAutoscaler') return (o.spec as { scaleTargetRef?: { kind?: string } } | undefined)?.scaleTargetRef?.kind === 'StatefulSet';
  return false;
}

const key = (kind: string, namespace: string, name: string): string => `${kind} ${namespace}/${name}`;

/**
 * A seed-era object as the apiserver of its time completed it: the removed API versions
 * defaulted spec.selector from the template's labels; apps/v1 requires it, and an object
 * the apiserver finds invalid never reaches admission at all.
 */
function servable(obj: KubeObject): KubeObject {
  const spec = obj.spec as { selector?: unknown; template?: { metadata?: { labels?: Record<string, string> } } } | undefined;
  if (!['StatefulSet', 'Deployment', 'DaemonSet', 'ReplicaSet'].includes(obj.kind) || spec === undefined || spec.selector !== undefined) return obj;
  return { ...obj, spec: { ...spec, selector: { matchLabels: spec.template?.metadata?.labels ?? {} } } };
}

describe('the admission filter (matchConditions) through the real apiserver', { timeout: 10 * 60_000 }, () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start();
  });

  after(() => {
    cluster.stop();
  });

  /** Applies objects with --dry-run=server and returns the kind/namespace/name the webhook reviewed. */
  async function reviewed(objects: readonly KubeObject[]): Promise<Set<string>> {
    const before = readFileSync(join(cluster.dir, 'webhook.log'), 'utf8').length;
    const r = cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], objects.map((o) => JSON.stringify(o)).join('\n---\n'));
    // An object the apiserver finds invalid never reaches admission: that would make the
    // comparison meaningless, so the inputs must all be valid.
    assert.doesNotMatch(r.stderr, /is invalid/, r.stderr);
    // The webhook writes its log in batches, flushed at least every second.
    await sleep(1500);
    const lines = readFileSync(join(cluster.dir, 'webhook.log'), 'utf8').slice(before).split('\n').filter((l) => l.includes('"msg":"review"'));
    return new Set(lines.map((l) => JSON.parse(l) as { kind: string; namespace: string; name: string }).map((r) => key(r.kind, r.namespace, r.name)));
  }

  it('sends every object check judges as Galera in the corpus, and none of the look-alikes', async () => {
    let galera = 0;
    let others = 0;
    for (const [index, entry] of corpus().entries()) {
      const loaded = loadInputs([entry.file], () => '').objects.map((o) => o.object);
      const related = bundleRelated(loaded);
      // Each fixture in namespaces of its own; removed API versions as the apiserver serves them.
      const namespace = (ns: unknown): string => `fx${String(index)}-${typeof ns === 'string' && ns !== '' ? ns : 'default'}`.slice(0, 63);
      const objects = loaded.map((o) => servable(toCurrentApi({ ...o, metadata: { ...o.metadata, namespace: namespace(o.metadata.namespace) } })));
      for (const ns of new Set(objects.map((o) => String(o.metadata.namespace)))) cluster.kubectl(['create', 'namespace', ns]);
      const sent = await reviewed(objects);
      for (const [i, obj] of objects.entries()) {
        const original = loaded[i];
        if (original === undefined) continue;
        const id = key(obj.kind, String(obj.metadata.namespace), String(obj.metadata.name));
        if (judgedAsGalera(original, related)) {
          galera++;
          assert.ok(sent.has(id), `${entry.name}: ${id} is Galera but the filter kept it from the webhook`);
        } else others++;
        if (entry.name.startsWith('lookalike-')) assert.ok(!sent.has(id), `${entry.name}: ${id} is not Galera but was sent to the webhook`);
      }
    }
    console.log(`corpus: ${String(galera)} Galera objects all sent; ${String(others)} others`);
  });

  it('sends every fuzzed workload detection calls Galera', async () => {
    cluster.kubectl(['create', 'namespace', 'fuzz']);
    const container = fc.record({
      name: fc.constantFrom('db', 'main'),
      image: fc.constantFrom('mariadb:11.4', 'mysql:8', 'percona/percona-xtradb-cluster:8.0', 'bitnami/mariadb-galera:11', 'nginx:1.27', 'selenium/hub:4', 'example/galera-operator:1', 'registry.local/pxc-db:2', 'app:latest'),
      ports: fc.uniqueArray(fc.constantFrom(80, 3306, 4444, 4567, 4568, 8080), { maxLength: 3 }).map((ports) => ports.map((containerPort) => ({ containerPort }))),
      env: fc.uniqueArray(fc.constantFrom({ name: 'WSREP_ON', value: '1' }, { name: 'CLUSTER_ADDRESS', value: 'gcomm://a,b' }, { name: 'FOO', value: 'bar' }, { name: 'MODE', value: 'galera' }), { maxLength: 2, selector: (e) => e.name }),
      args: fc.constantFrom([], ['--wsrep-new-cluster'], ['--port=80']),
    });
    const workload = fc.record({
      kind: fc.constantFrom(...WORKLOADS),
      base: fc.constantFrom('db', 'galera', 'pxc', 'shop'),
      label: fc.boolean(),
      configMap: fc.boolean(),
      owned: fc.boolean(),
      containers: fc.array(container, { minLength: 1, maxLength: 2 }),
    });
    const samples = fc.sample(workload, { numRuns: 160, seed: 4567 });
    const objects = samples.map((w, i): KubeObject => {
      const name = `${w.base}-${String(i)}`;
      const containers = w.containers.map((c, j) => ({ ...c, name: `${c.name}${String(j)}` }));
      const podSpec = { containers, ...(w.configMap ? { volumes: [{ name: 'cnf', configMap: { name: 'cnf' } }] } : {}) };
      const labels = { app: name, ...(w.label ? { 'galera-gitops.io/cluster': name } : {}) };
      const metadata = { name, namespace: 'fuzz', labels, ...(w.owned ? { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: '00000000-0000-0000-0000-000000000001', controller: true }] } : {}) };
      if (w.kind === 'Pod') return { apiVersion: 'v1', kind: 'Pod', metadata, spec: podSpec };
      const template = { metadata: { labels }, spec: podSpec };
      const selector = w.kind === 'ReplicationController' ? { app: name } : { matchLabels: { app: name } };
      const extra = w.kind === 'StatefulSet' ? { serviceName: name } : {};
      return { apiVersion: w.kind === 'ReplicationController' ? 'v1' : 'apps/v1', kind: w.kind, metadata, spec: { selector, template, ...extra } };
    });
    const sent = await reviewed(objects);
    let galera = 0;
    for (const obj of objects) {
      const id = key(obj.kind, 'fuzz', String(obj.metadata.name));
      if (!detectGalera(normalise(obj), NONE).galera) continue;
      galera++;
      assert.ok(sent.has(id), `${id} is Galera but the filter kept it from the webhook: ${JSON.stringify(obj)}`);
    }
    const extra = sent.size - galera;
    console.log(`fuzz: ${String(objects.length)} workloads, ${String(galera)} Galera, all sent; ${String(extra)} others sent (the filter is a superset)`);
    assert.ok(galera > 30, 'the fuzzer produced too few Galera workloads to mean anything');
  });
});
