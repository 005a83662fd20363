/** ordered-ready, termination-grace, plaintext-credentials, removed-api and stable-identity edges. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from '../evaluate.ts';
import { READY, clusterOf, galeraStatefulSet, service } from '../../test/support/objects.ts';
import type { KubeObject } from '../types.ts';

const related = clusterOf([service('g-peers', { clusterIP: 'None', publishNotReadyAddresses: true })]);
const rulesOf = (object: KubeObject): string[] => evaluate({ object, operation: 'CREATE', related }).map((f) => `${f.rule} ${f.severity} ${f.path}`);
const withPod = (pod: Record<string, unknown>): KubeObject => galeraStatefulSet('g', { template: { spec: { containers: [{ name: 'db', image: 'mariadb:11.4', readinessProbe: READY, volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql' }] }], ...pod } } });

describe('ordered-ready', () => {
  it('treats an omitted policy as OrderedReady', () => {
    assert.deepEqual(rulesOf(galeraStatefulSet('g')), []);
    assert.deepEqual(rulesOf(galeraStatefulSet('g', { podManagementPolicy: 'Parallel' })), ['ordered-ready deny spec.podManagementPolicy']);
  });
});

describe('termination-grace', () => {
  it('denies 0, warns below 60, accepts 60 and more', () => {
    assert.deepEqual(rulesOf(withPod({ terminationGracePeriodSeconds: 0 })), ['termination-grace deny spec.template.spec.terminationGracePeriodSeconds']);
    assert.deepEqual(evaluate({ object: withPod({ terminationGracePeriodSeconds: 59 }), operation: 'CREATE', related }).map((f) => f.message), ['spec.template.spec.terminationGracePeriodSeconds is 59; a clean Galera shutdown can take longer: use at least 60 seconds']);
    assert.deepEqual(rulesOf(withPod({ terminationGracePeriodSeconds: 60 })), []);
  });
});

describe('plaintext-credentials', () => {
  const env = (entries: unknown[]): KubeObject => withPod({ terminationGracePeriodSeconds: 600, initContainers: [{ name: 'init', image: 'busybox:1.37', env: entries }] });
  it('denies literal values of *PASSWORD*, *SECRET* and *_PASS in any container, never echoing the value', () => {
    const findings = evaluate({ object: env([{ name: 'root_password', value: 's3cr3t-value' }, { name: 'APP_SECRET_KEY', value: 'k' }, { name: 'SST_PASS', value: 'p' }, { name: 'PASSTHROUGH', value: 'x' }]), operation: 'CREATE', related });
    assert.deepEqual(findings.map((f) => f.path), ['spec.template.spec.initContainers[0].env[0].value', 'spec.template.spec.initContainers[0].env[1].value', 'spec.template.spec.initContainers[0].env[2].value']);
    assert.ok(findings.every((f) => !f.message.includes('s3cr3t-value')));
  });

  it('accepts secretKeyRef and empty values', () => {
    assert.deepEqual(rulesOf(env([{ name: 'MYSQL_ROOT_PASSWORD', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }, { name: 'MYSQL_ALLOW_EMPTY_PASSWORD', value: '' }])), []);
  });
});

describe('removed-api', () => {
  for (const [apiVersion, kind, current, release] of [
    ['apps/v1alpha1', 'PetSet', 'apps/v1 StatefulSet', '1.5'],
    ['apps/v1beta1', 'StatefulSet', 'apps/v1 StatefulSet', '1.16'],
    ['apps/v1beta2', 'StatefulSet', 'apps/v1 StatefulSet', '1.16'],
    ['extensions/v1beta1', 'Deployment', 'apps/v1 Deployment', '1.16'],
    ['extensions/v1beta1', 'DaemonSet', 'apps/v1 DaemonSet', '1.16'],
  ] as const) {
    it(`names ${current} for ${apiVersion} ${kind}`, () => {
      const object = { ...withPod({ terminationGracePeriodSeconds: 600 }), apiVersion, kind };
      const finding = evaluate({ object, operation: 'OFFLINE', related }).find((f) => f.rule === 'removed-api');
      assert.equal(finding?.message, `apiVersion ${apiVersion} ${kind} was removed in Kubernetes ${release} and is not served: use ${current} (the other findings judge this object as ${current})`);
    });
  }
});

describe('stable-identity', () => {
  it('does not judge a Pod a StatefulSet controls', () => {
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'g-0', namespace: 'db', labels: { 'galera-gitops.io/cluster': 'g' }, ownerReferences: [{ kind: 'StatefulSet', name: 'g', controller: true }] }, spec: { containers: [] } };
    assert.deepEqual(rulesOf(pod), []);
  });
});
