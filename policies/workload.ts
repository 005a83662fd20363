/**
 * Where the pod spec lives in each workload kind, with the field path to it, so rules
 * can read containers and volumes the same way for a StatefulSet, a Deployment or a Pod.
 */
import { indexed, record, str, type Json } from './object.ts';
import type { KubeObject } from './types.ts';

/** Workload kinds whose pods we can inspect (current API names). */
export const WORKLOAD_KINDS = [
  'StatefulSet',
  'Deployment',
  'ReplicaSet',
  'ReplicationController',
  'DaemonSet',
  'Pod',
] as const;

export interface PodSpecAt {
  spec: Json;
  /** e.g. `spec.template.spec`, or `spec` for a Pod. */
  path: string;
}

export function podSpecOf(obj: KubeObject): PodSpecAt | undefined {
  if (obj.kind === 'Pod') {
    const spec = record(obj.spec);
    return spec === undefined ? undefined : { spec, path: 'spec' };
  }
  if (!(WORKLOAD_KINDS as readonly string[]).includes(obj.kind)) return undefined;
  const spec = record(record(record(obj.spec)?.template)?.spec);
  return spec === undefined ? undefined : { spec, path: 'spec.template.spec' };
}

export interface ContainerAt {
  container: Json;
  name: string;
  /** e.g. `spec.template.spec.containers[0]`. */
  path: string;
}

/** Init containers and containers, each with its field path. */
export function containersOf(pod: PodSpecAt): ContainerAt[] {
  const out: ContainerAt[] = [];
  for (const list of ['initContainers', 'containers'] as const) {
    for (const [i, container] of indexed(pod.spec[list])) {
      out.push({ container, name: str(container.name) ?? `#${i}`, path: `${pod.path}.${list}[${i}]` });
    }
  }
  return out;
}

/** Only the main containers (not init containers). */
export function mainContainersOf(pod: PodSpecAt): ContainerAt[] {
  return containersOf(pod).filter((c) => c.path.includes('.containers['));
}
