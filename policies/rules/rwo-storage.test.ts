import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from '../evaluate.ts';
import { clusterOf, galeraStatefulSet, service } from '../../test/support/objects.ts';
import type { KubeObject } from '../types.ts';

const related = clusterOf([service('g-peers', { clusterIP: 'None', publishNotReadyAddresses: true })]);
const judge = (object: KubeObject): string[] => evaluate({ object, operation: 'CREATE', related }).filter((f) => f.rule === 'rwo-storage').map((f) => f.path);
const claims = (...accessModes: string[][]): unknown => accessModes.map((modes, i) => ({ metadata: { name: i === 0 ? 'data' : `extra${i}` }, spec: { accessModes: modes } }));

describe('rwo-storage', () => {
  it('accepts ReadWriteOnce and ReadWriteOncePod', () => {
    assert.deepEqual(judge(galeraStatefulSet('g', { volumeClaimTemplates: claims(['ReadWriteOnce']) })), []);
    assert.deepEqual(judge(galeraStatefulSet('g', { volumeClaimTemplates: claims(['ReadWriteOncePod']) })), []);
  });

  it('judges only the template that backs the data directory when it is known', () => {
    assert.deepEqual(judge(galeraStatefulSet('g', { volumeClaimTemplates: claims(['ReadWriteOnce'], ['ReadWriteMany']) })), []);
    assert.deepEqual(judge(galeraStatefulSet('g', { volumeClaimTemplates: claims(['ReadOnlyMany']) })), ['spec.volumeClaimTemplates[0].spec.accessModes']);
  });

  it('judges every template when no container mounts a known data directory', () => {
    const sts = galeraStatefulSet('g', { template: { spec: { terminationGracePeriodSeconds: 600, containers: [{ name: 'db', image: 'x', volumeMounts: [{ name: 'data', mountPath: '/srv/db' }] }] } }, volumeClaimTemplates: claims(['ReadWriteOnce'], ['ReadWriteMany']) });
    assert.deepEqual(judge(sts), ['spec.volumeClaimTemplates[1].spec.accessModes']);
  });

  it('denies a template without access modes', () => {
    assert.deepEqual(
      evaluate({ object: galeraStatefulSet('g', { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {} }] }), operation: 'CREATE', related }).map((f) => f.message),
      ['spec.volumeClaimTemplates[0].spec.accessModes is not set; each Galera member must be the only writer of its data volume: use [ReadWriteOnce] (or [ReadWriteOncePod])'],
    );
  });

  it('denies Delete on either retention event', () => {
    const sts = galeraStatefulSet('g', { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } });
    assert.deepEqual(judge(sts), ['spec.persistentVolumeClaimRetentionPolicy.whenDeleted', 'spec.persistentVolumeClaimRetentionPolicy.whenScaled']);
  });

  it('only judges pre-provisioned claims whose name is <template>-<sts>-<ordinal>', () => {
    const cache = clusterOf([galeraStatefulSet('g')]);
    const claim = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'db' }, spec: { accessModes: ['ReadWriteMany'] } });
    const paths = (name: string): string[] => evaluate({ object: claim(name), operation: 'CREATE', related: cache }).map((f) => f.path);
    assert.deepEqual(paths('data-g-0'), ['spec.accessModes']);
    assert.deepEqual(paths('data-g-12'), ['spec.accessModes']);
    assert.deepEqual(paths('data-g-01'), []);
    assert.deepEqual(paths('data-g-x'), []);
    assert.deepEqual(paths('data-gg-0'), []);
  });
});
