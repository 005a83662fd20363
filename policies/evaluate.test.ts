import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bundleRelated } from './bundle.ts';
import { CATALOGUE } from './catalogue.ts';
import { blocks, evaluate } from './evaluate.ts';
import { galeraStatefulSet, service } from '../test/support/objects.ts';
import type { KubeObject, Rule } from './types.ts';

const peers = service('g-peers', { clusterIP: 'None', publishNotReadyAddresses: true });

describe('evaluate', () => {
  it('judges a removed API version as its current equivalent, with apiserver defaults', () => {
    const petset: KubeObject = { ...galeraStatefulSet('g'), apiVersion: 'apps/v1alpha1', kind: 'PetSet' };
    const spec = petset.spec as Record<string, unknown>;
    delete spec.replicas;
    const findings = evaluate({ object: petset, operation: 'OFFLINE', related: bundleRelated([peers]) });
    assert.deepEqual(
      findings.map((f) => [f.rule, f.severity, f.object.kind, f.path]),
      [
        ['odd-replicas', 'warn', 'StatefulSet', 'spec.replicas'],
        ['removed-api', 'deny', 'StatefulSet', 'apiVersion'],
      ],
    );
  });

  it('applies per-rule severity overrides and drops rules turned off', () => {
    const sts = galeraStatefulSet('g', { replicas: 4, podManagementPolicy: 'Parallel' });
    const related = bundleRelated([peers]);
    const findings = evaluate({ object: sts, operation: 'CREATE', related }, { 'odd-replicas': 'warn', 'ordered-ready': 'off' });
    assert.deepEqual(findings.map((f) => [f.rule, f.severity]), [['odd-replicas', 'warn']]);
    assert.equal(findings.some(blocks), false);
  });

  it('marks waived findings, which then do not block', () => {
    const sts = galeraStatefulSet('g', { replicas: 2 });
    sts.metadata.annotations = { 'galera-gitops.io/waive': 'odd-replicas: garbd arbitrator' };
    const finding = evaluate({ object: sts, operation: 'CREATE', related: bundleRelated([peers]) })[0];
    assert.ok(finding);
    assert.equal(finding.waived, 'garbd arbitrator');
    assert.equal(blocks(finding), false);
  });

  it('turns a rule that throws into a warning instead of crashing', () => {
    const broken: Rule = { ...CATALOGUE[0], id: 'broken', kinds: ['StatefulSet'], check: () => { throw new Error('boom'); } } as Rule;
    const catalogue = CATALOGUE as Rule[];
    catalogue.push(broken);
    try {
      const findings = evaluate({ object: galeraStatefulSet('g'), operation: 'CREATE', related: bundleRelated([peers]) });
      assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.message]), [['broken', 'warn', 'rule broken failed on this object (boom); it was not judged by this rule: please report this']]);
    } finally {
      catalogue.pop();
    }
  });

  it('does not mutate the object it is given', () => {
    const sts = galeraStatefulSet('g');
    const before = structuredClone(sts);
    evaluate({ object: sts, operation: 'CREATE', related: bundleRelated([peers]) });
    assert.deepEqual(sts, before);
  });
});

describe('bundleRelated', () => {
  it('matches objects without a namespace to any namespace', () => {
    const related = bundleRelated([service('s', {}, { namespace: undefined })]);
    assert.equal(related.get('Service', 'db', 's')?.metadata.name, 's');
    assert.equal(related.list('Service', 'other').length, 1);
  });

  it('prefers the object in the same namespace', () => {
    const related = bundleRelated([service('s', { clusterIP: '1.2.3.4' }, { namespace: undefined }), service('s', { clusterIP: 'None' })]);
    assert.equal((related.get('Service', 'db', 's')?.spec as { clusterIP: string }).clusterIP, 'None');
  });

  it('indexes removed API versions under their current kind', () => {
    const related = bundleRelated([{ ...galeraStatefulSet('g'), apiVersion: 'apps/v1alpha1', kind: 'PetSet' }]);
    assert.equal(related.get('StatefulSet', 'db', 'g')?.apiVersion, 'apps/v1');
  });
});
