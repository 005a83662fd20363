/**
 * The fixture corpus through the rules directly and through the `check` pipeline: both must
 * give exactly the findings each fixture's `.expected` file states.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { checkInputs } from '../cli/check/run.ts';
import { findingLine } from '../cli/check/report-text.ts';
import { evaluateBundle, isKubeObject, isRecord, type KubeObject } from '../policies/index.ts';
import { corpus } from './support/corpus.ts';

const entries = corpus();

/** The expected line without its `LINE: ` prefix, for the rules, which know no lines. */
const withoutLine = (line: string): string => line.replace(/^\d+: /, '');

function objectsOf(file: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const value: unknown = doc.toJS();
    const items: unknown[] = isRecord(value) && value.kind === 'List' && Array.isArray(value.items) ? value.items : [value];
    out.push(...items.filter(isKubeObject));
  }
  return out;
}

describe('fixture corpus', () => {
  it('has look-alikes, valid manifests and every deny rule', () => {
    assert.ok(entries.length >= 15, `only ${entries.length} fixtures`);
    const rules = new Set(entries.flatMap((e) => e.expected.map((l) => withoutLine(l).split(' ')[1])));
    for (const rule of ['odd-replicas', 'governing-service', 'rwo-storage', 'ordered-ready', 'stable-identity', 'termination-grace', 'readiness-probe', 'update-strategy', 'disruption-budget', 'pinned-image', 'plaintext-credentials', 'removed-api', 'waiver-syntax']) {
      assert.ok(rules.has(rule), `no fixture produces ${rule}`);
    }
  });

  for (const entry of entries) {
    it(`${entry.name}: the rules give the stated findings`, () => {
      const findings = evaluateBundle(objectsOf(entry.file)).flat();
      const lines = findings.map((f) => withoutLine(findingLine(f))).sort();
      assert.deepEqual(lines, entry.expected.map(withoutLine).sort());
    });

    it(`${entry.name}: check gives the stated findings and lines`, () => {
      const report = checkInputs([entry.file], () => '');
      assert.deepEqual(report.findings.map(findingLine), entry.expected);
    });
  }
});
