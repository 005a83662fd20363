import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportPolicies } from './admission-policies.ts';

type Doc = Record<string, unknown> & { kind: string; metadata: { name: string }; spec: Record<string, unknown> };
const docs = (options = {}): Doc[] => exportPolicies({ mode: 'enforce', severity: {}, exemptNamespaces: [], ...options }).documents as Doc[];
const binding = (list: Doc[], name: string): Record<string, unknown> | undefined => list.find((d) => d.kind === 'ValidatingAdmissionPolicyBinding' && d.metadata.name === name)?.spec;

describe('exportPolicies', () => {
  it('gives one policy with an enforce and a warn binding per exportable rule, and the mutating policy', () => {
    const list = docs();
    const policies = list.filter((d) => d.kind === 'ValidatingAdmissionPolicy').map((d) => d.metadata.name);
    assert.deepEqual(policies, ['odd-replicas', 'ordered-ready', 'stable-identity', 'termination-grace', 'readiness-probe', 'update-strategy', 'pinned-image', 'plaintext-credentials'].map((r) => `galera-gitops.${r}`));
    assert.equal(list.filter((d) => d.kind === 'ValidatingAdmissionPolicyBinding').length, 16);
    assert.deepEqual(list.slice(-2).map((d) => d.kind), ['MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding']);
    assert.deepEqual(docs(), list, 'the same bytes every time');
  });

  it('follows the default mode and the namespace label, and never binds exempt namespaces', () => {
    assert.deepEqual(binding(docs({ exemptNamespaces: ['ops'] }), 'galera-gitops.ordered-ready.enforce'), {
      policyName: 'galera-gitops.ordered-ready',
      validationActions: ['Deny'],
      matchResources: { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'ops'] }, { key: 'galera-gitops.io/mode', operator: 'NotIn', values: ['warn', 'off'] }] } },
    });
    const warnDefault = docs({ mode: 'warn' });
    assert.deepEqual((binding(warnDefault, 'galera-gitops.ordered-ready.enforce')?.matchResources as { namespaceSelector: { matchExpressions: unknown[] } }).namespaceSelector.matchExpressions[1], { key: 'galera-gitops.io/mode', operator: 'In', values: ['enforce'] });
    assert.deepEqual(binding(warnDefault, 'galera-gitops.ordered-ready.warn')?.validationActions, ['Warn']);
  });

  it('applies severity overrides: warn only warns, off leaves the rule out', () => {
    const list = docs({ severity: { 'ordered-ready': 'warn', 'pinned-image': 'off' } });
    assert.deepEqual(binding(list, 'galera-gitops.ordered-ready.enforce')?.validationActions, ['Warn']);
    assert.equal(list.some((d) => d.metadata.name.startsWith('galera-gitops.pinned-image')), false);
  });

  it('lists every other rule as webhook only, with why', () => {
    const { webhookOnly } = exportPolicies({ mode: 'enforce', severity: {}, exemptNamespaces: [] });
    assert.deepEqual(webhookOnly.map((w) => w.rule), ['odd-replicas', 'governing-service', 'rwo-storage', 'termination-grace', 'update-strategy', 'disruption-budget', 'pinned-image', 'removed-api', 'waiver-syntax']);
    assert.equal(webhookOnly.find((w) => w.rule === 'removed-api')?.why, 'an object of a removed API version never reaches admission: the apiserver refuses it first');
  });
});
