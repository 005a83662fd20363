/**
 * Parity of the exported admission policies with the webhook, through a real kube-apiserver
 * with no webhook at all: every object of the fixture corpus, created with a server-side
 * dry run, is denied by the policies exactly when the webhook's findings (the catalogue on
 * the fixture as a bundle; test/webhook-parity.test.ts shows the webhook gives those) hold
 * a deny of an exported rule that the object alone decides, and each denying policy is
 * one of those rules. Not decidable from the object alone, and so left out of the
 * comparison: a Scale or an autoscaler (Galera through its StatefulSet) and a workload
 * that is Galera only through a mounted ConfigMap. The MutatingAdmissionPolicy completes a
 * governing Service as the mutating webhook does.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadInputs } from '../cli/check/load.ts';
import { toCurrentApi } from '../policies/api-versions.ts';
import { blocks, detectGalera, evaluateBundle, ruleById, type KubeObject, type Related } from '../policies/index.ts';
import { ControlPlane } from './support/control-plane.ts';
import { corpus } from './support/corpus.ts';
import { MAIN } from './support/paths.ts';
import { Processes, sleep } from './support/processes.ts';

const NONE: Related = { scope: 'none', get: () => undefined, list: () => [] };

function servable(obj: KubeObject): KubeObject {
  const spec = obj.spec as { selector?: unknown; template?: { metadata?: { labels?: Record<string, string> } } } | undefined;
  if (!['StatefulSet', 'Deployment', 'DaemonSet', 'ReplicaSet'].includes(obj.kind) || spec === undefined || spec.selector !== undefined) return obj;
  return { ...obj, spec: { ...spec, selector: { matchLabels: spec.template?.metadata?.labels ?? {} } } };
}

describe('exported admission policies through a real apiserver, without the webhook', { timeout: 10 * 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'galera-vap-'));
  const processes = new Processes(dir);
  let plane: ControlPlane;
  /** The rule ids of the policies that denied a server-side dry-run create of `obj`. */
  const denials = (obj: KubeObject): string[] => {
    const r = plane.kubectl(['create', '--dry-run=server', '-f', '-'], JSON.stringify(obj));
    if (r.status === 0) return [];
    const rules = [...r.stderr.matchAll(/ValidatingAdmissionPolicy 'galera-gitops\.([a-z-]+)'/g)].map((m) => m[1] ?? '');
    assert.ok(rules.length > 0, `${obj.kind} ${String(obj.metadata.name)} refused for another reason: ${r.stderr}`);
    return [...new Set(rules)].sort();
  };

  before(async () => {
    plane = await ControlPlane.start(dir, processes, { address: '127.0.0.1', serviceRange: '10.96.0.0/12', extraArgs: ['--endpoint-reconciler-type=none', '--disable-admission-plugins=ServiceAccount'] });
    const exported = spawnSync(process.execPath, [MAIN, 'export', 'policies'], { encoding: 'utf8' });
    assert.equal(exported.status, 0, exported.stderr);
    plane.apply(exported.stdout);
    plane.apply('', 'create', 'namespace', 'probe');
    // Policies take effect once the apiserver has compiled them: wait for a known deny.
    const even = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'galera', namespace: 'probe' }, spec: { replicas: 2, serviceName: 'p', selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'db', image: 'bitnami/mariadb-galera:11.4', readinessProbe: { exec: { command: ['true'] } } }] } } } };
    for (let i = 0; denials(even).length === 0; i++) {
      if (i > 60) throw new Error('the exported policies did not take effect within 30 s');
      await sleep(500);
    }
  });

  after(async () => {
    await processes.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('deny every corpus object exactly when the webhook denies it for an exported rule', () => {
    let compared = 0;
    let denied = 0;
    for (const [index, entry] of corpus().entries()) {
      const namespace = (ns: unknown): string => `fx${String(index)}-${typeof ns === 'string' && ns !== '' ? ns : 'default'}`.slice(0, 63);
      const objects = loadInputs([entry.file], () => '').objects.map((o) => o.object).filter((o) => o.kind !== 'Scale');
      const placed = objects.map((o) => servable(toCurrentApi({ ...o, metadata: { ...o.metadata, namespace: namespace(o.metadata.namespace) } })));
      for (const ns of new Set(placed.map((o) => String(o.metadata.namespace)))) plane.apply('', 'create', 'namespace', ns);
      const findings = evaluateBundle(placed);
      for (const [i, obj] of placed.entries()) {
        const alone = detectGalera(obj, NONE).galera;
        const expected = [...new Set((findings[i] ?? []).filter((f) => blocks(f) && alone && ruleById(f.rule)?.admission?.kinds.includes(obj.kind) === true).map((f) => f.rule))].sort();
        const got = denials(obj);
        const what = `${entry.name}: ${obj.kind} ${String(obj.metadata.name)}`;
        assert.equal(got.length > 0, expected.length > 0, `${what}: policies denied by ${got.join(', ') || 'none'}, webhook by ${expected.join(', ') || 'none'}`);
        for (const rule of got) assert.ok(expected.includes(rule), `${what}: denied by ${rule}, which the webhook does not deny it for (${expected.join(', ')})`);
        compared++;
        if (got.length > 0) denied++;
      }
    }
    console.log(`${String(compared)} objects compared, ${String(denied)} denied by the policies`);
    assert.ok(denied >= 10, `only ${String(denied)} denials`);
  });

  it('the mutating policy adds publishNotReadyAddresses to a Galera governing Service that left it out, and only there', () => {
    const svc = (name: string, spec: Record<string, unknown>): string => JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'probe' }, spec: { clusterIP: 'None', selector: { a: 'b' }, ports: [{ port: 4567 }], ...spec } });
    const created = (manifest: string): unknown => (JSON.parse(plane.apply(manifest, 'create', '-o', 'json', '-f', '-').stdout) as { spec: { publishNotReadyAddresses?: unknown } }).spec.publishNotReadyAddresses;
    assert.equal(created(svc('galera-peers', {})), true);
    // An explicit false reaches admission as absent (a plain bool, omitted when false), for
    // the webhook too: it is treated as left out, and the governing-service rule wants true.
    assert.equal(created(svc('galera-explicit', { publishNotReadyAddresses: false })), true);
    assert.equal(created(svc('web-headless', { ports: [{ port: 80 }] })), undefined);
  });
});
