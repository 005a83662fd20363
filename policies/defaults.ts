/**
 * The defaults the apiserver applies before an admission webhook sees an object, applied
 * offline so a file that omits a field is judged exactly like the stored object would be
 * (pkg/apis/apps/v1/defaults.go, pkg/apis/core/v1/defaults.go). Only fields a rule reads.
 * Pure: returns a copy, leaves set fields alone, and applying it twice changes nothing.
 */
import { isRecord, record, records, type Json } from './object.ts';
import type { KubeObject } from './types.ts';

export function withDefaults(obj: KubeObject): KubeObject {
  const copy = structuredClone(obj);
  const spec = record(copy.spec);
  if (spec === undefined) return copy;
  switch (copy.kind) {
    case 'StatefulSet':
      defaultStatefulSet(spec);
      break;
    case 'Deployment':
    case 'ReplicaSet':
    case 'ReplicationController':
      spec.replicas ??= 1;
      defaultPodSpec(record(record(spec.template)?.spec));
      break;
    case 'DaemonSet':
      defaultPodSpec(record(record(spec.template)?.spec));
      break;
    case 'Pod':
      defaultPodSpec(spec);
      break;
    case 'Service':
      spec.type ??= 'ClusterIP';
      spec.publishNotReadyAddresses ??= false;
      break;
    case 'HorizontalPodAutoscaler':
      spec.minReplicas ??= 1;
      break;
  }
  return copy;
}

function defaultStatefulSet(spec: Json): void {
  spec.replicas ??= 1;
  spec.podManagementPolicy ??= 'OrderedReady';
  spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
  spec.revisionHistoryLimit ??= 10;
  const retention = record(spec.persistentVolumeClaimRetentionPolicy) ?? {};
  retention.whenDeleted ??= 'Retain';
  retention.whenScaled ??= 'Retain';
  spec.persistentVolumeClaimRetentionPolicy = retention;
  for (const claim of records(spec.volumeClaimTemplates)) {
    const claimSpec = record(claim.spec);
    if (claimSpec !== undefined) claimSpec.volumeMode ??= 'Filesystem';
  }
  defaultPodSpec(record(record(spec.template)?.spec));
}

function defaultPodSpec(podSpec: Json | undefined): void {
  if (podSpec === undefined) return;
  podSpec.terminationGracePeriodSeconds ??= 30;
  podSpec.restartPolicy ??= 'Always';
  podSpec.dnsPolicy ??= 'ClusterFirst';
  for (const list of [podSpec.containers, podSpec.initContainers]) {
    for (const container of records(list)) {
      for (const port of records(container.ports)) port.protocol ??= 'TCP';
    }
  }
  if (!isRecord(podSpec.securityContext)) podSpec.securityContext = {};
}
