import { removalOf } from '../api-versions.ts';
import type { RawFinding, Rule, Subject } from '../types.ts';

/**
 * The engine judges an object in a removed API version as its current equivalent; this
 * rule reports the version itself. It reads the object as written (`subject.written`).
 */
export const removedApi: Rule = {
  id: 'removed-api',
  severity: 'deny',
  title: 'Galera workloads use served API versions',
  why: 'apps/v1alpha1 PetSet (removed in Kubernetes 1.5) and the apps/v1beta1, apps/v1beta2 and extensions/v1beta1 workloads (removed in 1.16) appear in older Galera guides; no current cluster accepts them.',
  fix: 'Change apiVersion and kind to the current API named in the finding (apps/v1 StatefulSet for a PetSet); the other findings already judge the object as that API.',
  kinds: ['StatefulSet', 'Deployment', 'ReplicaSet', 'DaemonSet'],
  webhookOnly: 'an object of a removed API version never reaches admission: the apiserver refuses it first',
  check(subject: Subject): readonly RawFinding[] {
    if (!subject.galera.galera) return [];
    const removal = removalOf(subject.written);
    if (removal === undefined) return [];
    return [
      {
        path: 'apiVersion',
        message: `apiVersion ${removal.from} was removed in Kubernetes ${removal.removedIn} and is not served: use ${removal.to} (the other findings judge this object as ${removal.to})`,
      },
    ];
  },
};
