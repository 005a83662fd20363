/** Edges of readiness-probe, update-strategy, disruption-budget and pinned-image the corpus does not show. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bundleRelated } from '../bundle.ts';
import { evaluate } from '../evaluate.ts';
import { scaled } from '../int-or-percent.ts';
import { selects } from '../selector.ts';
import { unpinnedRepository } from './pinned-image.ts';
import { clusterOf, galeraStatefulSet, service } from '../../test/support/objects.ts';
import type { KubeObject } from '../types.ts';

const peers = service('g-peers', { clusterIP: 'None', publishNotReadyAddresses: true });
const rulesOf = (object: KubeObject, others: KubeObject[] = []): string[] =>
  evaluate({ object, operation: 'CREATE', related: clusterOf([peers, ...others]) }).map((f) => `${f.rule} ${f.severity} ${f.path}`);
const budget = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'b', namespace: 'db' }, spec: { selector: { matchLabels: { app: 'g' } }, ...spec } });
const labelled = (replicas: number): KubeObject => {
  const sts = galeraStatefulSet('g', { replicas });
  (sts.spec as { template: { metadata?: unknown } }).template.metadata = { labels: { app: 'g' } };
  return sts;
};

describe('update-strategy', () => {
  it('denies Recreate (alpha), warns on OnDelete, accepts RollingUpdate and the default', () => {
    assert.deepEqual(rulesOf(galeraStatefulSet('g', { updateStrategy: { type: 'Recreate' } })), ['update-strategy deny spec.updateStrategy.type']);
    assert.deepEqual(rulesOf(galeraStatefulSet('g', { updateStrategy: { type: 'OnDelete' } })), ['update-strategy warn spec.updateStrategy.type']);
    assert.deepEqual(rulesOf(galeraStatefulSet('g', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } })), []);
  });

  it('scales maxUnavailable percentages down, to at least 1, as the controller does', () => {
    const at = (replicas: number, maxUnavailable: unknown): string[] => rulesOf(galeraStatefulSet('g', { replicas, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable } } }));
    assert.deepEqual(at(3, '50%'), []);
    assert.deepEqual(at(3, '10%'), []);
    assert.deepEqual(at(5, 2), []);
    assert.deepEqual(at(5, '60%'), ['update-strategy deny spec.updateStrategy.rollingUpdate.maxUnavailable']);
    assert.deepEqual(at(1, 5), ['odd-replicas warn spec.replicas']);
  });
});

describe('disruption-budget', () => {
  it('judges a budget on the StatefulSet online, where the budget already exists', () => {
    assert.deepEqual(rulesOf(labelled(3), [budget({ maxUnavailable: 2 })]), ['disruption-budget deny spec.replicas']);
    assert.deepEqual(rulesOf(labelled(5), [budget({ maxUnavailable: 2 })]), []);
    assert.deepEqual(rulesOf(labelled(3), [budget({ maxUnavailable: 0 })]), ['disruption-budget warn spec.replicas']);
  });

  it('names the budget and its value in the StatefulSet finding', () => {
    const [finding] = evaluate({ object: labelled(3), operation: 'UPDATE', related: clusterOf([peers, budget({ minAvailable: '30%' })]) });
    assert.equal(finding?.message, 'PodDisruptionBudget "b" selects these members, and its spec.minAvailable is "30%" (1 of 3 members: Kubernetes rounds percentages up); voluntary disruptions (node drains, evictions) may take 2 of the 3 members of Galera StatefulSet "g" down at once, but a Galera cluster of 3 members loses quorum when more than 1 is down: set spec.maxUnavailable: 1 instead of spec.minAvailable on PodDisruptionBudget "b"');
  });

  it('leaves clusters of 1 and 2 members and budgets over other pods alone', () => {
    assert.deepEqual(rulesOf(labelled(1), [budget({ maxUnavailable: 5 })]), ['odd-replicas warn spec.replicas']);
    const other = budget({ maxUnavailable: 5, selector: { matchLabels: { app: 'web' } } });
    assert.deepEqual(evaluate({ object: other, operation: 'OFFLINE', related: bundleRelated([labelled(3), other]) }), []);
  });
});

describe('pinned-image', () => {
  it('knows tags, digests and registry ports', () => {
    assert.equal(unpinnedRepository('mariadb'), 'mariadb');
    assert.equal(unpinnedRepository('mariadb:latest'), 'mariadb');
    assert.equal(unpinnedRepository('registry:5000/mariadb'), 'registry:5000/mariadb');
    assert.equal(unpinnedRepository('registry:5000/mariadb:11.4'), undefined);
    assert.equal(unpinnedRepository('mariadb@sha256:abc'), undefined);
    assert.equal(unpinnedRepository('mariadb:latest@sha256:abc'), undefined);
  });
});

describe('label selectors and IntOrString', () => {
  it('evaluate matchLabels and every matchExpressions operator', () => {
    const labels = { app: 'g', tier: 'db' };
    assert.equal(selects({}, labels), true);
    assert.equal(selects(undefined, labels), false);
    assert.equal(selects({ matchLabels: { app: 'g' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['db'] }] }, labels), true);
    assert.equal(selects({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] }, labels), false);
    assert.equal(selects({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }, { key: 'app', operator: 'Exists' }] }, labels), true);
    assert.equal(selects({ matchExpressions: [{ key: 'app', operator: 'Near' }] }, labels), false);
  });

  it('scale percentages up or down and refuse anything else', () => {
    assert.equal(scaled('34%', 8, true), 3);
    assert.equal(scaled('34%', 8, false), 2);
    assert.equal(scaled(2, 8, true), 2);
    assert.equal(scaled('two', 8, true), undefined);
    assert.equal(scaled(1.5, 8, true), undefined);
  });
});
