/**
 * The in-process alternative of bench/e2e-overhead: a ValidatingAdmissionPolicy with the
 * core StatefulSet rules of the catalogue in CEL (odd-replicas, ordered-ready,
 * termination-grace, readiness-probe, rwo-storage, pinned-image), evaluated inside
 * kube-apiserver with no call out. Written by hand for this benchmark, as a stand-in until
 * `galera-gitops export policies` (issue #13) generates them from the catalogue: the rules'
 * deny cases from the object alone, with the webhook's own matchConditions so both see the
 * same objects. Not a product file.
 */
import { validatingMatchConditions } from '../../policies/index.ts';

export const VAP_NAME = 'galera-gitops-bench-core';

const spec = 'object.spec';
const pod = 'object.spec.template.spec';

const validations = [
  { rule: 'odd-replicas', expression: `!has(${spec}.replicas) || ${spec}.replicas % 2 == 1`, message: 'spec.replicas: a Galera cluster needs an odd number of members' },
  { rule: 'ordered-ready', expression: `!has(${spec}.podManagementPolicy) || ${spec}.podManagementPolicy == 'OrderedReady'`, message: 'spec.podManagementPolicy: Galera members start one at a time (OrderedReady)' },
  { rule: 'termination-grace', expression: `has(${pod}.terminationGracePeriodSeconds) && ${pod}.terminationGracePeriodSeconds >= 60`, message: 'terminationGracePeriodSeconds: Galera members need at least 60 s for a clean shutdown' },
  { rule: 'readiness-probe', expression: `${pod}.containers.exists(c, has(c.readinessProbe))`, message: 'the Galera server container needs a readiness probe' },
  { rule: 'rwo-storage', expression: `has(${spec}.volumeClaimTemplates) && ${spec}.volumeClaimTemplates.all(t, has(t.spec.accessModes) && t.spec.accessModes == ['ReadWriteOnce'])`, message: 'volumeClaimTemplates: each member owns a ReadWriteOnce volume' },
  { rule: 'pinned-image', expression: `${pod}.containers.all(c, c.image.contains('@sha256:') || c.image.matches(':[0-9][^:/]*$'))`, message: 'images are pinned to a version or a digest' },
];

/** The policy and its binding (Deny, every namespace but kube-system), as one manifest. */
export function vapManifest(): string {
  const policy = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: VAP_NAME },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['statefulsets'] }] },
      matchConditions: validatingMatchConditions(),
      validations: validations.map((v) => ({ expression: v.expression, message: `${v.rule}: ${v.message}` })),
    },
  };
  const binding = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: VAP_NAME },
    spec: { policyName: VAP_NAME, validationActions: ['Deny'], matchResources: { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }] } } },
  };
  return [policy, binding].map((o) => JSON.stringify(o)).join('\n---\n');
}
