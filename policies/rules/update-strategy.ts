import { percentOf, scaled } from '../int-or-percent.ts';
import { tolerableLosses } from '../member-count.ts';
import { at, int, show, str } from '../object.ts';
import type { RawFinding, Rule, Subject } from '../types.ts';

const PATH = 'spec.updateStrategy';

/**
 * A change to a Galera StatefulSet's pod template rolls one member at a time (or as many
 * as quorum allows), each back to Ready before the next: the RollingUpdate strategy, which
 * the apiserver defaults. maxUnavailable is on by default since Kubernetes 1.37
 * (MaxUnavailableStatefulSet); the controller scales a percentage down, to at least 1
 * (pkg/controller/statefulset getStatefulSetMaxUnavailable).
 */
export const updateStrategy: Rule = {
  id: 'update-strategy',
  severity: 'deny',
  title: 'Galera members are updated one at a time',
  why: 'RollingUpdate replaces members from the highest ordinal down, each only after the previous one is Ready again (Synced), so quorum holds throughout. Recreate (alpha in Kubernetes 1.37) deletes every member at once: a full stop that needs a bootstrap. A rollingUpdate.maxUnavailable above (n - 1) / 2 restarts enough members at once to lose quorum. OnDelete is a warning: it never loses quorum by itself, but a template change reaches a member only when someone deletes its pod, so members run different settings or server versions until then, and deleting several pods at once does lose quorum.',
  fix: 'Set spec.updateStrategy.type: RollingUpdate (the default) and leave rollingUpdate.maxUnavailable at 1.',
  kinds: ['StatefulSet'],
  admission: {
    kinds: ['StatefulSet'],
    validations: [
      { path: `${PATH}.type`, expression: "!has(object.spec.updateStrategy) || !has(object.spec.updateStrategy.type) || object.spec.updateStrategy.type != 'Recreate'" },
      {
        path: `${PATH}.rollingUpdate.maxUnavailable`,
        // maxUnavailableFindings: a percentage of the members rounded down, at least 1 and at most all of them.
        expression: maxUnavailableCel(),
      },
    ],
    webhookOnly: 'OnDelete is a warning',
  },
  check(subject: Subject): readonly RawFinding[] {
    if (!subject.galera.galera) return [];
    const { object } = subject;
    const type = str(at(object, 'spec', 'updateStrategy', 'type')) ?? 'RollingUpdate';
    if (type === 'OnDelete') {
      return [
        {
          path: `${PATH}.type`,
          severity: 'warn',
          message: `${PATH}.type is OnDelete; a change to the pod template reaches a member only when someone deletes its pod, so members run different settings or server versions until then, and deleting several pods at once loses quorum: use RollingUpdate, which replaces one member at a time and waits for it to be Ready`,
        },
      ];
    }
    if (type === 'Recreate') {
      return [
        {
          path: `${PATH}.type`,
          message: `${PATH}.type is Recreate; every change to the pod template deletes all members at once, a full stop of the Galera cluster that then needs a bootstrap: use RollingUpdate, which replaces one member at a time`,
        },
      ];
    }
    return maxUnavailableFindings(subject);
  },
};

function maxUnavailableFindings(subject: Subject): RawFinding[] {
  const value = at(subject.object, 'spec', 'updateStrategy', 'rollingUpdate', 'maxUnavailable');
  const members = int(at(subject.object, 'spec', 'replicas')) ?? 1;
  const count = value === undefined ? undefined : scaled(value, members, false);
  if (count === undefined) return [];
  const atOnce = Math.min(Math.max(count, 1), members);
  const tolerable = tolerableLosses(members);
  if (atOnce <= Math.max(1, tolerable)) return [];
  const path = `${PATH}.rollingUpdate.maxUnavailable`;
  const rounded = percentOf(value) === undefined ? '' : ` (${String(atOnce)} of ${String(members)} members: Kubernetes rounds percentages down, to at least 1)`;
  return [
    {
      path,
      message: `${path} is ${show(value)}${rounded}; a rolling update may restart ${String(atOnce)} of the ${String(members)} members at once, but a Galera cluster of ${String(members)} members loses quorum when more than ${String(tolerable)} ${tolerable === 1 ? 'is' : 'are'} down: set it to 1`,
    },
  ];
}

/** maxUnavailableFindings in CEL (no cel.bind in Kubernetes: each value is spelled out). */
function maxUnavailableCel(): string {
  const n = '(has(object.spec.replicas) ? object.spec.replicas : 1)';
  const v = 'object.spec.updateStrategy.rollingUpdate.maxUnavailable';
  const count = `(type(${v}) == int ? ${v} : int(string(${v}).substring(0, string(${v}).size() - 1)) * ${n} / 100)`;
  const atOnce = `(${count} < 1 ? (${n} < 1 ? ${n} : 1) : (${count} > ${n} ? ${n} : ${count}))`;
  return `!has(object.spec.updateStrategy) || !has(object.spec.updateStrategy.rollingUpdate) || !has(${v}) || ${atOnce} <= (${n} < 3 ? 1 : (${n} - 1) / 2)`;
}
