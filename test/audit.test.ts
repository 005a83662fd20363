/**
 * `galera-gitops audit` against a real kube-apiserver and etcd: the whole fixture corpus
 * applied, then audited through the kubeconfig. Every object must get the findings `check`
 * gives it in its fixture, but for what a live cluster changes: removed API versions are
 * served as their current equivalent (no removed-api finding), a Scale is no object, and a
 * governing Service that is missing does not exist rather than "is not in the input".
 * `--policy-reports` writes PolicyReports the CRD's schema keeps whole, and deletes them
 * when the findings are gone.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadInputs } from '../cli/check/load.ts';
import { findingLine } from '../cli/check/report-text.ts';
import { loadKubeConfig } from '../webhook/audit/read.ts';
import { toCurrentApi } from '../policies/api-versions.ts';
import { evaluateBundle, type Finding, type KubeObject } from '../policies/index.ts';
import { auditOnce } from '../webhook/audit-loop.ts';
import { DEFAULT_CONFIG } from '../webhook/config.ts';
import { ControlPlane } from './support/control-plane.ts';
import { corpus } from './support/corpus.ts';
import { MAIN } from './support/paths.ts';
import { installCrds } from './support/crds.ts';
import { tools } from './support/tools.ts';
import { Processes } from './support/processes.ts';

interface Json {
  findings: Finding[];
  summary: { objects: number; deny: number; warn: number; waived: number };
  notices: string[];
}

/** As the apiserver of the fixture's era completed it: removed API versions defaulted spec.selector. */
function servable(obj: KubeObject): KubeObject {
  const spec = obj.spec as { selector?: unknown; template?: { metadata?: { labels?: Record<string, string> } } } | undefined;
  if (!['StatefulSet', 'Deployment', 'DaemonSet', 'ReplicaSet'].includes(obj.kind) || spec === undefined || spec.selector !== undefined) return obj;
  return { ...obj, spec: { ...spec, selector: { matchLabels: spec.template?.metadata?.labels ?? {} } } };
}

/** What a live cluster changes in a finding of `check` (see the header). */
function live(f: Finding): Finding | undefined {
  if (f.rule === 'removed-api') return undefined;
  const missing = /^(spec\.serviceName is "[^"]+"); that Service is not in the checked input, .*$/.exec(f.message);
  if (f.rule === 'governing-service' && missing?.[1] !== undefined) {
    return { ...f, message: `${missing[1]}; that Service does not exist in namespace ${JSON.stringify(f.object.namespace)}: create it with clusterIP: None and publishNotReadyAddresses: true before the members start` };
  }
  return f;
}

const line = (f: Finding): string => findingLine({ ...f, line: undefined, file: undefined, detection: undefined });

describe('galera-gitops audit against a real apiserver', { timeout: 10 * 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'galera-audit-'));
  const processes = new Processes(dir);
  let plane: ControlPlane;
  const audit = (...args: string[]): { status: number | null; stdout: string; stderr: string } =>
    spawnSync(process.execPath, [MAIN, 'audit', '--kubeconfig', plane.kubeconfig, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });

  before(async () => {
    plane = await ControlPlane.start(dir, processes, { address: '127.0.0.1', serviceRange: '10.96.0.0/12', extraArgs: ['--endpoint-reconciler-type=none', '--disable-admission-plugins=ServiceAccount'] });
    installCrds((args, input) => plane.kubectl(args, input), [tools().policyReportCrds]);
  });

  after(async () => {
    await processes.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  const expected: string[] = [];

  it('judges every object of the corpus as check does, cross-object rules included', () => {
    for (const [index, entry] of corpus().entries()) {
      const namespace = (ns: unknown): string => `fx${String(index)}-${typeof ns === 'string' && ns !== '' ? ns : 'default'}`.slice(0, 63);
      const objects = loadInputs([entry.file], () => '').objects.map((o) => o.object).filter((o) => o.kind !== 'Scale');
      const placed = objects.map((o) => servable(toCurrentApi({ ...o, metadata: { ...o.metadata, namespace: namespace(o.metadata.namespace) } })));
      for (const ns of new Set(placed.map((o) => String(o.metadata.namespace)))) plane.apply('', 'create', 'namespace', ns);
      plane.apply(placed.map((o) => JSON.stringify(o)).join('\n---\n'));
      expected.push(...evaluateBundle(placed).flat().map(live).filter((f) => f !== undefined).map(line));
    }
    const r = audit('--output', 'json');
    assert.equal(r.stderr, '');
    assert.equal(r.status, 1);
    const report = JSON.parse(r.stdout) as Json;
    assert.deepEqual(report.findings.map(line).sort(), expected.sort());
    assert.ok(report.findings.length > 50, `only ${String(report.findings.length)} findings`);
  });

  it('prints text like check, without lines, and a summary', () => {
    const r = audit();
    assert.equal(r.status, 1);
    const lines = r.stdout.trimEnd().split('\n');
    assert.deepEqual(lines.slice(0, -1).sort(), [...expected].sort());
    assert.match(lines.at(-1) ?? '', /^\d+ objects audited: \d+ deny, \d+ warn, \d+ waived$/);
  });

  it('the webhook\'s periodic audit records warn-mode findings as Events on the objects, once per problem', async () => {
    plane.apply('', 'label', 'namespace', 'fx12-db', 'galera-gitops.io/mode=warn');
    const kc = loadKubeConfig(plane.kubeconfig, undefined);
    const config = { ...DEFAULT_CONFIG, auditIntervalSeconds: 600 };
    const first = await auditOnce(kc, config, new Date());
    const events = (): { reason: string; type: string; message: string; involvedObject: { kind: string; name: string } }[] =>
      // Ours only: the apiserver may record Events of its own meanwhile.
      (JSON.parse(plane.kubectl(['get', 'events', '-A', '-o', 'json']).stdout) as { items: { reason: string; type: string; message: string; involvedObject: { kind: string; name: string } }[] }).items.filter((e) => e.reason === 'GaleraRule');
    // Only the warn-mode namespace: member-counts (fx12) has a 4, a 1 and a 0.
    assert.equal(first.events, 3);
    const four = events().find((e) => e.involvedObject.name === 'four');
    assert.equal(four?.type, 'Warning');
    assert.equal(four.reason, 'GaleraRule');
    assert.match(four.message, /^odd-replicas at spec\.replicas: spec\.replicas is 4; a Galera cluster needs an odd number of members/);
    assert.match(plane.kubectl(['describe', 'statefulset', '-n', 'fx12-db', 'four']).stdout, /Warning\s+GaleraRule\s+.*odd-replicas at spec\.replicas/);
    const named = (): string[] => events().map((e) => `${e.involvedObject.kind}/${e.involvedObject.name}: ${e.message.slice(0, 40)}`).sort();
    const once = named();
    assert.equal(once.length, 3, once.join('\n'));
    await auditOnce(kc, config, new Date());
    assert.deepEqual(named(), once);
  });

  it('writes one PolicyReport per namespace with findings, kept whole by the CRD, and deletes it once they are gone', () => {
    const r = audit('--policy-reports', '--output', 'json');
    assert.equal(r.status, 1, r.stderr);
    const notices = (JSON.parse(r.stdout) as Json).notices;
    assert.ok(notices.includes('wrote PolicyReport fx2-budgets/galera-gitops'), notices.join('\n'));
    const got = JSON.parse(plane.kubectl(['get', 'policyreports', '-n', 'fx2-budgets', 'galera-gitops', '-o', 'json']).stdout) as { summary: unknown; results: { policy: string; result: string; severity: string; message: string; resources: { kind: string; name: string; uid?: string }[]; properties: Record<string, string> }[] };
    assert.deepEqual(got.summary, { pass: 0, fail: 5, warn: 1, error: 0, skip: 0 });
    const first = got.results.find((x) => x.resources[0]?.name === 'three-all');
    assert.ok(first !== undefined);
    assert.equal(first.policy, 'disruption-budget');
    assert.equal(first.result, 'fail');
    assert.equal(first.severity, 'high');
    assert.match(first.message, /^spec\.maxUnavailable: spec\.maxUnavailable is 3; voluntary disruptions/);
    assert.match(first.resources[0]?.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(first.properties.path, 'spec.maxUnavailable');
    // The budgets fixed: the report goes at the next audit.
    plane.apply('', 'delete', 'poddisruptionbudgets', '-n', 'fx2-budgets', '--all');
    const again = audit('--policy-reports', '--output', 'json');
    assert.ok((JSON.parse(again.stdout) as Json).notices.includes('deleted PolicyReport fx2-budgets/galera-gitops (no finding left there)'));
    assert.match(plane.kubectl(['get', 'policyreports', '-n', 'fx2-budgets']).stderr, /No resources found/);
  });
});
