/**
 * API versions the seeds use that Kubernetes no longer serves. An object in one of them
 * is judged as its current equivalent (so every other rule still applies) and the
 * `removed-api` rule names the replacement. The shapes of the fields our rules read did
 * not change between these versions, so a rename of apiVersion/kind is the whole
 * conversion.
 */
import type { KubeObject } from './types.ts';

export interface Removal {
  /** e.g. `apps/v1alpha1 PetSet`. */
  from: string;
  /** e.g. `apps/v1 StatefulSet`. */
  to: string;
  apiVersion: string;
  kind: string;
  /** The Kubernetes release that stopped serving it. */
  removedIn: string;
}

const WORKLOADS = ['Deployment', 'DaemonSet', 'ReplicaSet'];

function table(): Map<string, Removal> {
  const map = new Map<string, Removal>();
  const add = (apiVersion: string, kind: string, toKind: string, removedIn: string): void => {
    map.set(`${apiVersion} ${kind}`, {
      from: `${apiVersion} ${kind}`,
      to: `apps/v1 ${toKind}`,
      apiVersion: 'apps/v1',
      kind: toKind,
      removedIn,
    });
  };
  // PetSet was the alpha name of StatefulSet (Kubernetes 1.3-1.4), replaced in 1.5.
  add('apps/v1alpha1', 'PetSet', 'StatefulSet', '1.5');
  // apps/v1beta1, apps/v1beta2 and extensions/v1beta1 workloads stopped being served in 1.16.
  for (const version of ['apps/v1beta1', 'apps/v1beta2']) {
    for (const kind of ['StatefulSet', ...WORKLOADS]) add(version, kind, kind, '1.16');
  }
  for (const kind of WORKLOADS) add('extensions/v1beta1', kind, kind, '1.16');
  return map;
}

const REMOVED = table();

export function removalOf(obj: { apiVersion: string; kind: string }): Removal | undefined {
  return REMOVED.get(`${obj.apiVersion} ${obj.kind}`);
}

/** The object as its current API version and kind (the same object when already current). */
export function toCurrentApi(obj: KubeObject): KubeObject {
  const removal = removalOf(obj);
  if (removal === undefined) return obj;
  return { ...obj, apiVersion: removal.apiVersion, kind: removal.kind };
}
