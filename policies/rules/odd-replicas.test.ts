import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from '../evaluate.ts';
import { clusterOf, galeraStatefulSet, statefulSet } from '../../test/support/objects.ts';
import type { KubeObject } from '../types.ts';

const scale = (name: string, replicas: number): KubeObject => ({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name, namespace: 'db' }, spec: { replicas } });
const related = clusterOf([galeraStatefulSet('galera'), statefulSet('web', { replicas: 2 })]);
const judge = (object: KubeObject): string[] => evaluate({ object, operation: 'UPDATE', related }).map((f) => `${f.severity} ${f.path}: ${f.message}`);

describe('odd-replicas on the scale subresource', () => {
  it('denies an even Scale of a Galera StatefulSet and allows an odd one', () => {
    assert.deepEqual(judge(scale('galera', 4)), ['deny spec.replicas: spec.replicas is 4; a Galera cluster needs an odd number of members (1, 3, 5, ...) to keep quorum when the network splits: set it to 3 or 5']);
    assert.deepEqual(judge(scale('galera', 5)), []);
  });

  it('lets any count through for a StatefulSet that is not Galera', () => {
    assert.deepEqual(judge(scale('web', 2)), []);
  });

  it('says nothing when the parent is unknown (the webhook decides that case by its failure mode)', () => {
    assert.deepEqual(judge(scale('missing', 4)), []);
  });
});

describe('odd-replicas on a HorizontalPodAutoscaler', () => {
  const hpa = (target: string, min: number | undefined, max: number): KubeObject => ({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'h', namespace: 'db' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: target }, maxReplicas: max, ...(min === undefined ? {} : { minReplicas: min }) },
  });

  it('denies a range that includes even counts', () => {
    assert.deepEqual(judge(hpa('galera', undefined, 3)), ['deny spec.maxReplicas: spec.minReplicas is 1 and spec.maxReplicas is 3; the autoscaler may pick any count in between, including even ones, but a Galera cluster needs an odd number of members (1, 3, 5, ...) to keep quorum when the network splits: remove the HorizontalPodAutoscaler from Galera StatefulSet "galera" or set minReplicas and maxReplicas to the same odd number']);
  });

  it('allows min = max odd and ignores autoscalers of other workloads', () => {
    assert.deepEqual(judge(hpa('galera', 3, 3)), []);
    assert.deepEqual(judge(hpa('web', 2, 8)), []);
  });
});
