import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InputError, loadInputs } from './load.ts';

const fromStdin = (text: string) => loadInputs(['-'], () => text);

describe('loadInputs', () => {
  it('maps field paths to lines, falling back to the nearest written ancestor', () => {
    const { objects } = fromStdin('# c\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: g\n  annotations:\n    galera-gitops.io/waive: x\nspec:\n  volumeClaimTemplates:\n    - metadata: {name: a}\n    - metadata: {name: b}\n      spec:\n        accessModes: [ReadWriteMany]\n');
    const source = objects[0];
    assert.ok(source);
    assert.equal(source.line, 2);
    assert.equal(source.locate('kind'), 3);
    assert.equal(source.locate('metadata.annotations.galera-gitops.io/waive'), 7);
    assert.equal(source.locate('spec.volumeClaimTemplates[1].spec.accessModes'), 13);
    assert.equal(source.locate('spec.volumeClaimTemplates[1].spec.volumeMode'), 13);
    assert.equal(source.locate('spec.replicas'), 9);
  });

  it('unpacks kind: List items with their own lines, in JSON too', () => {
    const { objects } = fromStdin('{"apiVersion": "v1", "kind": "List",\n "items": [\n  {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}},\n  {"apiVersion": "v1", "kind": "Service",\n   "metadata": {"name": "b"}}]}\n');
    assert.deepEqual(objects.map((o) => [o.object.metadata.name, o.line, o.locate('metadata.name')]), [['a', 3, 3], ['b', 4, 5]]);
  });

  it('skips empty documents and reports documents that are not objects', () => {
    const result = fromStdin('---\n---\n- a list\n---\napiVersion: v1\nkind: X\n');
    assert.deepEqual(result.objects, []);
    assert.deepEqual(result.notices, ['<stdin>:3: skipped a document that is not a Kubernetes object (it is not a mapping)', '<stdin>:5: skipped a document that is not a Kubernetes object (it has no metadata)']);
  });

  it('reads folders recursively in name order, only YAML and JSON, skipping hidden folders', () => {
    const dir = mkdtempSync(join(tmpdir(), 'load-'));
    mkdirSync(join(dir, 'sub'));
    mkdirSync(join(dir, '.git'));
    const cm = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\n`;
    writeFileSync(join(dir, 'b.yml'), cm('b'));
    writeFileSync(join(dir, 'a.yaml'), cm('a'));
    writeFileSync(join(dir, 'sub', 'c.json'), JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }));
    writeFileSync(join(dir, '.git', 'd.yaml'), cm('d'));
    writeFileSync(join(dir, 'notes.txt'), cm('e'));
    assert.deepEqual(loadInputs([dir], () => '').objects.map((o) => o.object.metadata.name), ['a', 'b', 'c']);
  });

  it('refuses duplicate keys, alias bombs and syntax errors as input errors with a position', () => {
    assert.throws(() => fromStdin('a: 1\na: 2\n'), (e: unknown) => e instanceof InputError && /^<stdin>:2:1: YAML syntax error: Map keys must be unique/.test(e.message));
    const bomb = 'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n';
    assert.throws(() => fromStdin(bomb), InputError);
  });
});
