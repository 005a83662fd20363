import type { RawFinding, Rule, Subject } from '../types.ts';

const WHY_NOT: Record<string, string> = {
  Deployment: 'a Deployment gives its pods random names and no volume of their own',
  ReplicaSet: 'a ReplicaSet gives its pods random names and no volume of their own',
  ReplicationController: 'a ReplicationController gives its pods random names and no volume of their own',
  DaemonSet: 'a DaemonSet ties members to nodes, not to stable identities and volumes of their own',
  Pod: 'a bare Pod is not recreated when its node fails and has no volume of its own',
};

export const stableIdentity: Rule = {
  id: 'stable-identity',
  severity: 'deny',
  title: 'Galera runs as a StatefulSet',
  why: 'Each Galera member needs a stable network identity (<sts>-<i>.<service>) for its peers and its own durable data volume; only a StatefulSet gives both. Deployments, ReplicaSets, ReplicationControllers, DaemonSets and bare Pods lose data or identity when a pod is rescheduled.',
  fix: 'Convert the workload to a StatefulSet with a headless governing Service and a volumeClaimTemplates entry for the data directory (or use `galera-gitops generate`).',
  kinds: Object.keys(WHY_NOT),
  admission: { kinds: ['Deployment', 'ReplicaSet', 'ReplicationController', 'DaemonSet', 'Pod'], validations: [{ path: 'kind', expression: 'false' }] },
  check(subject: Subject): readonly RawFinding[] {
    const why = WHY_NOT[subject.object.kind];
    if (!subject.galera.galera || why === undefined) return [];
    return [
      {
        path: 'kind',
        message: `kind is ${subject.object.kind}; ${why}, but a Galera member needs a stable network identity and its own data volume: run it as a StatefulSet with a headless governing Service and volumeClaimTemplates`,
      },
    ];
  },
};
