import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CATALOGUE } from '../policies/index.ts';
import { renderRulesDoc } from '../scripts/rules-doc.ts';

describe('docs/rules.md', () => {
  it('is what the catalogue renders (run `npm run docs:rules` after changing a rule)', () => {
    const committed = readFileSync(join(import.meta.dirname, '..', 'docs', 'rules.md'), 'utf8');
    assert.equal(committed, renderRulesDoc());
  });

  it('documents every rule with its id, severity, why and fix', () => {
    const doc = renderRulesDoc();
    for (const rule of CATALOGUE) {
      assert.ok(doc.includes(`### ${rule.id}\n`), rule.id);
      assert.ok(doc.includes(`Default severity: \`${rule.severity}\``), rule.id);
      assert.ok(doc.includes(`Why: ${rule.why}`) && doc.includes(`Fix: ${rule.fix}`), rule.id);
    }
  });
});
