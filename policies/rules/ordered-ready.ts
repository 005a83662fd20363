import { at, str } from '../object.ts';
import type { RawFinding, Rule, Subject } from '../types.ts';

export const orderedReady: Rule = {
  id: 'ordered-ready',
  severity: 'deny',
  title: 'Galera StatefulSets use OrderedReady pod management',
  why: 'OrderedReady starts members one at a time, each after the previous is Ready, and stops them in reverse: the first start is deterministic (ordinal 0 bootstraps, the others join) and scale-down is graceful. Parallel starts every member at once and can bootstrap two clusters (split brain).',
  fix: 'Set spec.podManagementPolicy: OrderedReady (or omit it). The field cannot change on a live StatefulSet: delete it with --cascade=orphan and apply it again; pods and volumes stay.',
  kinds: ['StatefulSet'],
  admission: {
    kinds: ['StatefulSet'],
    validations: [{ path: 'spec.podManagementPolicy', expression: "!has(object.spec.podManagementPolicy) || object.spec.podManagementPolicy != 'Parallel'" }],
  },
  check(subject: Subject): readonly RawFinding[] {
    if (!subject.galera.galera) return [];
    const policy = str(at(subject.object, 'spec', 'podManagementPolicy'));
    if (policy === undefined || policy === 'OrderedReady') return [];
    return [
      {
        path: 'spec.podManagementPolicy',
        message: `spec.podManagementPolicy is ${policy}; ${policy === 'Parallel' ? 'Parallel starts every Galera member at once, so more than one may bootstrap a new cluster (split brain), and scale-down is not graceful' : 'Galera needs members started one at a time'}: set it to OrderedReady (the field cannot change on a live StatefulSet: delete it with kubectl delete statefulset --cascade=orphan and apply it again; pods and volumes stay)`,
      },
    ];
  },
};
