import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withDefaults } from './defaults.ts';
import type { KubeObject } from './types.ts';

describe('withDefaults', () => {
  it('fills what the apiserver fills on a StatefulSet, for the fields rules read', () => {
    const sts: KubeObject = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'g' }, spec: { template: { spec: { containers: [{ name: 'db' }] } } } };
    assert.deepEqual(withDefaults(sts).spec, {
      replicas: 1,
      podManagementPolicy: 'OrderedReady',
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: { spec: { terminationGracePeriodSeconds: 30, containers: [{ name: 'db' }] } },
    });
  });

  it('leaves set fields alone and is idempotent', () => {
    const sts: KubeObject = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'g' }, spec: { replicas: 5, podManagementPolicy: 'Parallel', persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete' } } };
    const once = withDefaults(sts);
    assert.equal((once.spec as { replicas: number }).replicas, 5);
    assert.equal((once.spec as { podManagementPolicy: string }).podManagementPolicy, 'Parallel');
    assert.deepEqual((once.spec as { persistentVolumeClaimRetentionPolicy: unknown }).persistentVolumeClaimRetentionPolicy, { whenScaled: 'Delete', whenDeleted: 'Retain' });
    assert.deepEqual(withDefaults(once), once);
  });

  it('defaults a Service to ClusterIP without publishing not-ready addresses', () => {
    const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: {} };
    assert.deepEqual(withDefaults(svc).spec, { type: 'ClusterIP', publishNotReadyAddresses: false });
  });

  it('defaults an HPA minReplicas to 1 and a bare Pod grace period to 30', () => {
    assert.deepEqual(withDefaults({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: {}, spec: { maxReplicas: 3 } }).spec, { maxReplicas: 3, minReplicas: 1 });
    assert.equal((withDefaults({ apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { containers: [] } }).spec as { terminationGracePeriodSeconds: number }).terminationGracePeriodSeconds, 30);
  });

  it('leaves objects without a spec untouched', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, data: { a: 'b' } };
    assert.deepEqual(withDefaults(cm), cm);
  });
});
