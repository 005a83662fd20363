/**
 * The defaults the apiserver applies before an admission webhook sees an object, applied
 * offline so a file that omits a field is judged exactly like the stored object would be
 * (pkg/apis/apps/v1/defaults.go, pkg/apis/core/v1/defaults.go, autoscaling defaults).
 * Only fields a rule reads. Pure and copy-on-write: the input is never changed, only the
 * maps on the way to a defaulted field are copied, and applying it twice changes nothing.
 */
import { record, type Json } from './object.ts';
import type { KubeObject } from './types.ts';

export function withDefaults(obj: KubeObject): KubeObject {
  const spec = record(obj.spec);
  if (spec === undefined) return obj;
  switch (obj.kind) {
    case 'StatefulSet':
      return { ...obj, spec: statefulSetSpec(spec) };
    case 'Deployment':
    case 'ReplicaSet':
    case 'ReplicationController':
      return { ...obj, spec: withTemplate({ replicas: 1, ...spec }) };
    case 'DaemonSet':
      return { ...obj, spec: withTemplate(spec) };
    case 'Pod':
      return { ...obj, spec: podSpec(spec) };
    case 'Service':
      return { ...obj, spec: { type: 'ClusterIP', publishNotReadyAddresses: false, ...spec } };
    case 'HorizontalPodAutoscaler':
      return { ...obj, spec: { minReplicas: 1, ...spec } };
    default:
      return obj;
  }
}

function statefulSetSpec(spec: Json): Json {
  return withTemplate({
    replicas: 1,
    podManagementPolicy: 'OrderedReady',
    ...spec,
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain', ...record(spec.persistentVolumeClaimRetentionPolicy) },
  });
}

function withTemplate(spec: Json): Json {
  const template = record(spec.template);
  const pod = record(template?.spec);
  if (template === undefined || pod === undefined) return spec;
  return { ...spec, template: { ...template, spec: podSpec(pod) } };
}

function podSpec(spec: Json): Json {
  return { terminationGracePeriodSeconds: 30, ...spec };
}
