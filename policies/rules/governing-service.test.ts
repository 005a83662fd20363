import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from '../evaluate.ts';
import { clusterOf, galeraStatefulSet, service } from '../../test/support/objects.ts';
import type { KubeObject, Related } from '../types.ts';

const judge = (object: KubeObject, related: Related): string[] => evaluate({ object, operation: 'CREATE', related }).map((f) => `${f.severity} ${f.path}: ${f.message}`);

describe('governing-service online (a cluster cache)', () => {
  it('reports a bad existing Service on the StatefulSet that relies on it', () => {
    const related = clusterOf([service('g-peers', { clusterIP: 'None' }, { annotations: { 'service.alpha.kubernetes.io/tolerate-unready-endpoints': 'true' } })]);
    assert.deepEqual(judge(galeraStatefulSet('g'), related), [
      'deny spec.serviceName: spec.serviceName is "g-peers", whose spec.publishNotReadyAddresses is not set and the deprecated annotation service.alpha.kubernetes.io/tolerate-unready-endpoints alone does nothing on current Kubernetes (EndpointSlices, which cluster DNS reads, ignore it since 1.11 made the field its replacement); joining members are not Ready until they have synced and cannot sync without finding their peers in DNS: set spec.publishNotReadyAddresses: true on Service "g-peers"',
    ]);
  });

  it('warns when the Service does not exist yet', () => {
    assert.deepEqual(judge(galeraStatefulSet('g'), clusterOf([])), ['warn spec.serviceName: spec.serviceName is "g-peers"; that Service does not exist in namespace "db": create it with clusterIP: None and publishNotReadyAddresses: true before the members start']);
  });

  it('judges a Service that governs an existing Galera StatefulSet, and names it', () => {
    const related = clusterOf([galeraStatefulSet('g')]);
    const findings = evaluate({ object: service('g-peers', { clusterIP: 'None' }), operation: 'UPDATE', related });
    assert.deepEqual(findings.map((f) => [f.path, f.detection]), [['spec.publishNotReadyAddresses', 'governs Galera StatefulSet "g" (label galera-gitops.io/cluster=g)']]);
  });

  it('leaves a Service alone that governs nothing Galera and has no Galera port', () => {
    assert.deepEqual(judge(service('web', { clusterIP: 'None', ports: [{ port: 80 }] }), clusterOf([])), []);
    assert.deepEqual(judge(service('orders-db', { ports: [{ port: 3306 }] }, { labels: { 'galera-gitops.io/cluster': 'orders' } }), clusterOf([])), []);
  });

  it('judges a headless Service on a Galera replication port before its StatefulSet exists', () => {
    assert.deepEqual(judge(service('peers', { clusterIP: 'None', ports: [{ port: 4567 }] }), clusterOf([])), ['deny spec.publishNotReadyAddresses: spec.publishNotReadyAddresses is false; joining Galera members are not Ready until they have synced and cannot sync without finding their peers in DNS: set spec.publishNotReadyAddresses: true']);
  });
});
