/** The real built command (`dist/cli/main.js`), run as a user runs it: exit codes and output. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CORPUS_DIR } from './support/corpus.ts';

const MAIN = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js');
const fixture = (name: string): string => join(CORPUS_DIR, name);

function run(args: string[], input?: string, nodeFlags: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [...nodeFlags, MAIN, ...args], { input: input ?? '', encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'galera-gitops-cli-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('galera-gitops check', () => {
  it('exits 0 and prints only the summary for a valid manifest', () => {
    const r = run(['check', fixture('good-statefulset.yaml')]);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, '3 objects checked: 0 deny, 0 warn, 0 waived\n');
    assert.equal(r.stderr, '');
  });

  it('exits 1 with file:line, rule, object, path and message for a deny', () => {
    const r = run(['check', fixture('parallel.yaml')]);
    assert.equal(r.status, 1);
    assert.equal(
      r.stdout.split('\n')[0],
      `${fixture('parallel.yaml')}:13: deny ordered-ready StatefulSet db/galera spec.podManagementPolicy: spec.podManagementPolicy is Parallel; Parallel starts every Galera member at once, so more than one may bootstrap a new cluster (split brain), and scale-down is not graceful: set it to OrderedReady (the field cannot change on a live StatefulSet: delete it with kubectl delete statefulset --cascade=orphan and apply it again; pods and volumes stay)`,
    );
    assert.match(r.stdout, /\n2 objects checked: 1 deny, 0 warn, 0 waived\n$/);
  });

  it('exits 0 when there are only warnings and waived findings', () => {
    const dir = scratch({ 'one.yaml': 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: solo, labels: {galera-gitops.io/cluster: solo}}\nspec:\n  replicas: 1\n  serviceName: solo\n  template: {spec: {terminationGracePeriodSeconds: 600, containers: [{name: db, image: mariadb:11.4, readinessProbe: {exec: {command: [healthcheck.sh]}}}]}}\n  volumeClaimTemplates: [{metadata: {name: data}, spec: {accessModes: [ReadWriteOnce]}}]\n' });
    const r = run(['check', join(dir, 'one.yaml')]);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /:5: warn odd-replicas StatefulSet solo spec\.replicas: spec\.replicas is 1; /);
    assert.match(r.stdout, /:6: warn governing-service StatefulSet solo spec\.serviceName: /);
  });

  it('reads a whole folder recursively, YAML and JSON alike', () => {
    const r = run(['check', CORPUS_DIR]);
    assert.equal(r.status, 1);
    // 97 objects in 24 files, one of them a JSON kind: List; deny/warn/waived are the sums of the .expected files.
    assert.match(r.stdout, /\n97 objects checked: 51 deny, 12 warn, 2 waived\n$/);
  });

  it('reads standard input with -, as in kustomize build | galera-gitops check -', () => {
    const input = 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: g, namespace: db}\nspec:\n  replicas: 2\n  serviceName: g\n  template: {spec: {containers: [{name: db, image: bitnami/mariadb-galera:11.4}]}}\n';
    const r = run(['check', '-'], input);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^<stdin>:5: deny odd-replicas StatefulSet db\/g spec\.replicas: spec\.replicas is 2; a Galera cluster needs an odd number of members \(1, 3, 5, \.\.\.\) to keep quorum when the network splits: set it to 1 or 3$/m);
  });

  it('--output json carries every finding field and a summary', () => {
    const r = run(['check', '--output', 'json', fixture('member-counts.yaml')]);
    assert.equal(r.status, 1);
    const report = JSON.parse(r.stdout) as { findings: Record<string, unknown>[]; summary: Record<string, number> };
    assert.deepEqual(report.summary, { objects: 4, deny: 1, warn: 2, waived: 0 });
    assert.deepEqual(report.findings[0], {
      rule: 'odd-replicas',
      severity: 'deny',
      object: { kind: 'StatefulSet', namespace: 'db', name: 'four' },
      path: 'spec.replicas',
      message: 'spec.replicas is 4; a Galera cluster needs an odd number of members (1, 3, 5, ...) to keep quorum when the network splits: set it to 3 or 5',
      detection: 'label galera-gitops.io/cluster=four',
      file: fixture('member-counts.yaml'),
      line: 11,
    });
  });

  it('--output sarif is SARIF 2.1.0 with the catalogue as rules and waivers as suppressions', () => {
    const r = run(['check', '-o', 'sarif', fixture('waivers.yaml')]);
    assert.equal(r.status, 1);
    const log = JSON.parse(r.stdout) as { version: string; runs: { tool: { driver: { rules: { id: string }[] } }; results: Record<string, unknown>[] }[] };
    assert.equal(log.version, '2.1.0');
    const run0 = log.runs[0];
    assert.ok(run0);
    assert.deepEqual(run0.tool.driver.rules.map((rule) => rule.id).slice(0, 2), ['odd-replicas', 'governing-service']);
    assert.equal(run0.results.length, 5);
    const first = run0.results[0];
    assert.ok(first);
    assert.deepEqual(first.suppressions, [{ kind: 'inSource', justification: 'two members plus a garbd arbitrator outside the cluster keep quorum' }]);
    assert.deepEqual(first.locations, [{ physicalLocation: { artifactLocation: { uri: fixture('waivers.yaml') }, region: { startLine: 19 } } }]);
  });

  it('--output github writes workflow annotations', () => {
    const r = run(['check', '-o', 'github', fixture('parallel.yaml')]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, new RegExp(`^::error file=${fixture('parallel.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')},line=13,title=galera-gitops ordered-ready::StatefulSet db/galera spec\\.podManagementPolicy: `));
  });

  it('exits 2 naming a missing path', () => {
    const r = run(['check', 'no/such/dir']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'galera-gitops check: no/such/dir: no such file or folder\n');
    assert.equal(r.stdout, '');
  });

  it('exits 2 on a YAML syntax error with file, line and column, without a stack trace', () => {
    const dir = scratch({ 'broken.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [unclosed\n' });
    const r = run(['check', join(dir, 'broken.yaml')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, new RegExp(`^galera-gitops check: ${join(dir, 'broken.yaml')}:\\d+:\\d+: YAML syntax error: `));
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('reports and skips a document that is not a Kubernetes object', () => {
    const dir = scratch({ 'mixed.yaml': 'replicaCount: 3\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n' });
    const r = run(['check', join(dir, 'mixed.yaml')]);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, `note: ${join(dir, 'mixed.yaml')}:1: skipped a document that is not a Kubernetes object (it has no apiVersion)\n1 object checked: 0 deny, 0 warn, 0 waived\n`);
  });

  it('exits 2 when the input holds no object (an empty kustomize build must not pass)', () => {
    const r = run(['check', '-'], '');
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'galera-gitops check: no Kubernetes objects found in -\n');
  });

  it('checks a multi-document input with comments, empty documents and a List as before the limits', () => {
    const cm = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: db}\ndata: {k: v}\n`;
    const sts = 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: g, namespace: db}\nspec:\n  replicas: 2\n  serviceName: g\n  template: {spec: {containers: [{name: db, image: bitnami/mariadb-galera:11.4}]}}\n';
    const input = `${cm('a')}---\n${cm('b')}---\n${sts}---\n# a comment-only document\n---\napiVersion: v1\nkind: List\nitems:\n- ${cm('c').replaceAll('\n', '\n  ')}`;
    const r = run(['check', '-'], input);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, '');
    // The output of the loader that kept every document's syntax tree, unchanged.
    assert.equal(
      r.stdout,
      '<stdin>:15: deny odd-replicas StatefulSet db/g spec.replicas: spec.replicas is 2; a Galera cluster needs an odd number of members (1, 3, 5, ...) to keep quorum when the network splits: set it to 1 or 3\n' +
        '<stdin>:15: deny rwo-storage StatefulSet db/g spec.volumeClaimTemplates: spec.volumeClaimTemplates is not set; each Galera member needs its own persistent volume for its data directory, or it loses its data when the pod moves: mount a volumeClaimTemplates entry with accessModes [ReadWriteOnce] at the data directory\n' +
        '<stdin>:16: warn governing-service StatefulSet db/g spec.serviceName: spec.serviceName is "g"; that Service is not in the checked input, so it cannot be verified: check it together with the Service (for example the whole kustomize build output)\n' +
        '<stdin>:17: warn termination-grace StatefulSet db/g spec.template.spec.terminationGracePeriodSeconds: spec.template.spec.terminationGracePeriodSeconds is 30 (the Kubernetes default); a clean Galera shutdown can take longer: use at least 60 seconds\n' +
        '<stdin>:17: deny readiness-probe StatefulSet db/g spec.template.spec.containers[0].readinessProbe: spec.template.spec.containers[0].readinessProbe is not set on server container "db"; a joining, donating or desynced Galera member would count as Ready, so OrderedReady starts the next member too early and clients reach a member that is not Synced: add a readinessProbe that passes only when wsrep_local_state is 4 (Synced)\n' +
        '4 objects checked: 3 deny, 2 warn, 0 waived\n',
    );
  });

  it('checks thousands of documents from one stream', () => {
    const input = Array.from({ length: 5000 }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}}\n`).join('---\n');
    const r = run(['check', '-'], input);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, '5000 objects checked: 0 deny, 0 warn, 0 waived\n');
  });

  describe('input limits', () => {
    // 2 KiB of valid manifests: over a 1 KiB cap, within a 2 KiB one.
    const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n'.padEnd(2048, '#');

    it('refuses a file over --max-input-size with exit 2, naming the file, its size, the cap and the flag', () => {
      const file = join(scratch({ 'big.yaml': manifest }), 'big.yaml');
      const r = run(['check', '--max-input-size', '1KiB', file]);
      assert.equal(r.status, 2);
      assert.equal(r.stderr, `galera-gitops check: ${file}: the file is 2048 bytes, over the limit of 1 KiB per input; raise it with --max-input-size, e.g. --max-input-size 2KiB\n`);
      assert.equal(r.stdout, '');
    });

    it('raising --max-input-size lets the same file through, in bytes or KiB', () => {
      const file = join(scratch({ 'big.yaml': manifest }), 'big.yaml');
      for (const size of ['2KiB', '2048']) {
        const r = run(['check', '--max-input-size', size, file]);
        assert.equal(r.status, 0, size);
        assert.equal(r.stdout, '1 object checked: 0 deny, 0 warn, 0 waived\n');
      }
    });

    it('refuses standard input past --max-input-size, having read one byte past the cap', () => {
      const r = run(['check', '--max-input-size', '1KiB', '-'], manifest.repeat(2));
      assert.equal(r.status, 2);
      assert.equal(r.stderr, 'galera-gitops check: <stdin>: standard input is over the limit of 1 KiB per input (reading stopped after 1025 bytes); raise it with --max-input-size, e.g. --max-input-size 2KiB\n');
    });

    it('refuses the input that takes a run past --max-total-size', () => {
      const dir = scratch({ 'a.yaml': manifest, 'b.yaml': manifest });
      const r = run(['check', '--max-total-size', '3KiB', dir]);
      assert.equal(r.status, 2);
      assert.equal(r.stderr, `galera-gitops check: ${join(dir, 'b.yaml')}: the file is 2048 bytes, which brings this run's inputs to 4096 bytes, over the limit of 3 KiB in all; raise it with --max-total-size, e.g. --max-total-size 4KiB\n`);
      assert.equal(run(['check', '--max-total-size', '4KiB', dir]).status, 0);
    });

    it('exits 2 for a size it cannot read', () => {
      const r = run(['check', '--max-input-size', '1.5MiB', fixture('parallel.yaml')]);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /option '--max-input-size <size>' argument '1\.5MiB' is invalid\. expected a whole number of bytes, or of KiB, MiB or GiB, e\.g\. 128MiB/);
    });

    const DEPTH = 'YAML nested deeper than 100 levels of mappings and sequences; no Kubernetes object nests that deep\n';

    it('ends 1 MB of [ with exit 2 and the depth message at its line and column, inside a 64 MB heap', () => {
      const file = join(scratch({ 'brackets.yaml': '['.repeat(1024 * 1024) }), 'brackets.yaml');
      // Before the limit, this input overflowed the stack after taking over 1 GB.
      const r = run(['check', file], undefined, ['--max-old-space-size=64']);
      assert.equal(r.status, 2);
      assert.equal(r.stderr, `galera-gitops check: ${file}:1:101: ${DEPTH}`);
    });

    it('ends 1 MB of {a: nesting on standard input the same way', () => {
      const r = run(['check', '-'], '{a: '.repeat(256 * 1024), ['--max-old-space-size=64']);
      assert.equal(r.status, 2);
      assert.equal(r.stderr, `galera-gitops check: <stdin>:1:401: ${DEPTH}`);
    });

    it('ends deep block nesting by indentation the same way', () => {
      const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n${Array.from({ length: 500 }, (_, i) => `${' '.repeat(i + 1)}k:\n`).join('')}`;
      const file = join(scratch({ 'block.yaml': text }), 'block.yaml');
      const r = run(['check', file]);
      assert.equal(r.status, 2);
      // The root mapping is the first level and the mapping of each `k:` line one more: the
      // 101st level is the mapping that starts at the 100th `k:`, line 104, column 101.
      assert.equal(r.stderr, `galera-gitops check: ${file}:104:101: ${DEPTH}`);
    });
  });

  it('exits 2 for usage errors: no path, an unknown format, an unknown option', () => {
    assert.equal(run(['check']).status, 2);
    const format = run(['check', '-o', 'xml', fixture('parallel.yaml')]);
    assert.equal(format.status, 2);
    assert.match(format.stderr, /argument 'xml' is invalid\. Allowed choices are text, json, sarif, github\./);
    assert.equal(run(['check', '--frobnicate', fixture('parallel.yaml')]).status, 2);
    assert.equal(run(['frobnicate']).status, 2);
  });

  it('exits 0 for --help and --version', () => {
    assert.equal(run(['--version']).status, 0);
    const help = run(['check', '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Exit codes: 0 no deny finding, 1 at least one deny finding, 2 usage error or unreadable input\./);
  });
});
