import { int } from '../object.ts';
import type { RawFinding, Rule, Subject } from '../types.ts';
import { WORKLOAD_KINDS, podSpecOf } from '../workload.ts';
import { withPod } from '../cel.ts';

/** Below this a clean shutdown (leave the group, flush InnoDB, write grastate.dat) is at risk. */
export const MIN_GRACE_SECONDS = 60;

export const terminationGrace: Rule = {
  id: 'termination-grace',
  severity: 'deny',
  title: 'Galera members get time for a clean shutdown',
  why: 'A member killed mid-write leaves safe_to_bootstrap: 0 and seqno -1 in grastate.dat, the most common reason a Galera cluster never comes back. 0 seconds is a deny; under 60 seconds (the Kubernetes default is 30) is a warning, since leaving the group and flushing InnoDB can take longer.',
  fix: 'Set terminationGracePeriodSeconds to at least 60 (the generator uses 600 like the Percona operator, so a large buffer pool can flush).',
  kinds: ['StatefulSet', 'Deployment', 'ReplicaSet', 'ReplicationController', 'DaemonSet', 'Pod'],
  admission: {
    kinds: WORKLOAD_KINDS,
    validations: [{ path: 'terminationGracePeriodSeconds', expression: withPod((ps) => `!has(${ps}.terminationGracePeriodSeconds) || ${ps}.terminationGracePeriodSeconds != 0`) }],
    webhookOnly: 'under 60 seconds is a warning',
  },
  check(subject: Subject): readonly RawFinding[] {
    if (!subject.galera.galera) return [];
    const pod = podSpecOf(subject.object);
    if (pod === undefined) return [];
    const seconds = int(pod.spec.terminationGracePeriodSeconds);
    const path = `${pod.path}.terminationGracePeriodSeconds`;
    if (seconds === undefined || seconds >= MIN_GRACE_SECONDS) return [];
    if (seconds === 0) {
      return [
        {
          path,
          message: `${path} is 0; a Galera member killed without a clean shutdown leaves safe_to_bootstrap: 0 and seqno -1 in grastate.dat, and the cluster may not come back: give it at least ${MIN_GRACE_SECONDS} seconds`,
        },
      ];
    }
    return [
      {
        path,
        severity: 'warn',
        message: `${path} is ${seconds}${seconds === 30 ? ' (the Kubernetes default)' : ''}; a clean Galera shutdown can take longer: use at least ${MIN_GRACE_SECONDS} seconds`,
      },
    ];
  },
};
