import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from './limits.ts';
import { InputError, loadInputs } from './load.ts';
import { InputTooLarge } from './read.ts';

const fromStdin = (text: string) => loadInputs(['-'], () => text);

/** The message of the InputError that `fn` throws. */
function inputError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  return assert.fail('no InputError');
}

const DEPTH = 'YAML nested deeper than 100 levels of mappings and sequences; no Kubernetes object nests that deep';
const configMap = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\n`;

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

  it('locates fields in later documents, with CRLF line ends and Lists in Lists', () => {
    const text = `${configMap('a')}---\n${configMap('b')}data:\n  k: v\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items:\n  - ${configMap('c').replaceAll('\n', '\n    ')}data: {k: v}\n`;
    for (const input of [text, text.replaceAll('\n', '\r\n')]) {
      const { objects } = fromStdin(input);
      assert.deepEqual(objects.map((o) => [o.object.metadata.name, o.line, o.locate('metadata.name'), o.locate('data.k'), o.locate('spec.nothing')]), [['a', 1, 3, 1, 1], ['b', 5, 7, 9, 5], ['c', 17, 19, 20, 17]]);
    }
  });

  it('stops at the first collection nested past the limit, with its line and column, however deep the input goes', () => {
    const MiB = 1024 * 1024;
    assert.equal(inputError(() => fromStdin('['.repeat(MiB))), `<stdin>:1:101: ${DEPTH}`);
    assert.equal(inputError(() => fromStdin('{a: '.repeat(MiB / 4))), `<stdin>:1:401: ${DEPTH}`);
    assert.equal(inputError(() => fromStdin('- '.repeat(MiB / 2))), `<stdin>:1:201: ${DEPTH}`);
    const block = Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}a:\n`).join('');
    assert.equal(inputError(() => fromStdin(block)), `<stdin>:101:101: ${DEPTH}`);
    const indentedSeqs = Array.from({ length: 1000 }, (_, i) => `${' '.repeat(2 * i)}- a:\n`).join('');
    assert.equal(inputError(() => fromStdin(indentedSeqs)), `<stdin>:51:101: ${DEPTH}`);
  });

  it('takes nesting exactly at the limit, counting the object itself as the first level', () => {
    const at = (levels: number): string => `${configMap('deep')}data: ${'['.repeat(levels)}${']'.repeat(levels)}\n`;
    assert.equal(fromStdin(at(99)).objects.length, 1);
    assert.equal(inputError(() => fromStdin(at(100))), `<stdin>:4:106: ${DEPTH}`);
    assert.equal(inputError(() => fromStdin(`${configMap('ok')}---\n${at(100)}`)), `<stdin>:8:106: ${DEPTH}`);
  });

  it('refuses documents that aliases make deeper than the limit, or make contain themselves', () => {
    const levels = (n: number): string => '['.repeat(n);
    const deep = `${configMap('a')}x: &x ${levels(60)}${']'.repeat(60)}\ny: ${levels(60)}*x${']'.repeat(60)}\n`;
    assert.equal(inputError(() => fromStdin(`${configMap('ok')}---\n${deep}`)), '<stdin>:5: YAML aliases nest this document deeper than 100 levels of mappings and sequences');
    assert.equal(inputError(() => fromStdin(`${configMap('a')}data: &d {x: *d}\n`)), '<stdin>:1: YAML aliases make this document contain itself');
    const shared = `${configMap('a')}labels: &l {app: web}\nmore: {labels: *l, alias-like: "*l", plain: a*l}\n`;
    assert.equal(fromStdin(shared).objects.length, 1);
  });

  it('refuses a file over the per-input cap before reading it, and a run over the total cap', () => {
    const dir = mkdtempSync(join(tmpdir(), 'load-'));
    writeFileSync(join(dir, 'a.yaml'), configMap('a').padEnd(600, '#'));
    writeFileSync(join(dir, 'b.yaml'), configMap('b').padEnd(600, '#'));
    const limits = { ...DEFAULT_LIMITS, maxInputBytes: 512, maxTotalBytes: 1000 };
    assert.equal(
      inputError(() => loadInputs([join(dir, 'a.yaml')], () => '', limits)),
      `${join(dir, 'a.yaml')}: the file is 600 bytes, over the limit of 512 bytes per input; raise it with --max-input-size, e.g. --max-input-size 1KiB`,
    );
    const roomy = { ...limits, maxInputBytes: 1024 };
    assert.equal(loadInputs([join(dir, 'a.yaml')], () => '', roomy).objects.length, 1);
    assert.equal(
      inputError(() => loadInputs([dir], () => '', roomy)),
      `${join(dir, 'b.yaml')}: the file is 600 bytes, which brings this run's inputs to 1200 bytes, over the limit of 1000 bytes in all; raise it with --max-total-size, e.g. --max-total-size 2KiB`,
    );
  });

  it('gives standard input what is left of the caps and refuses more, whether the reader stopped or not', () => {
    const limits = { ...DEFAULT_LIMITS, maxInputBytes: 100, maxTotalBytes: 1000 };
    let asked = 0;
    loadInputs(['-'], (maxBytes) => {
      asked = maxBytes;
      return configMap('a');
    }, limits);
    assert.equal(asked, 100);
    const over = '<stdin>: standard input is over the limit of 100 bytes per input (reading stopped after 101 bytes); raise it with --max-input-size, e.g. --max-input-size 1KiB';
    assert.equal(inputError(() => loadInputs(['-'], () => { throw new InputTooLarge(101); }, limits)), over);
    assert.equal(inputError(() => loadInputs(['-'], () => 'é'.repeat(51), limits)), '<stdin>: standard input is 102 bytes, over the limit of 100 bytes per input; raise it with --max-input-size, e.g. --max-input-size 1KiB');
  });
});
