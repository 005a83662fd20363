import { galeraStatefulSets, detectGalera } from '../detect.ts';
import { memberCountFindings, ODD_MEMBERS } from '../member-count.ts';
import { at, int, str } from '../object.ts';
import type { RawFinding, Rule, Subject } from '../types.ts';

/**
 * The member count must be odd wherever it can be set: a StatefulSet's `spec.replicas`,
 * the `statefulsets/scale` subresource (an `autoscaling/v1` Scale, judged once the parent
 * is known to be Galera) and a HorizontalPodAutoscaler that targets a Galera StatefulSet.
 */
export const oddReplicas: Rule = {
  id: 'odd-replicas',
  severity: 'deny',
  title: 'A Galera cluster has an odd number of members',
  why: 'Galera accepts writes only while a strict majority of members see each other; an even count can split into two equal halves and stop the whole cluster. 1 member has no fault tolerance and 0 is a full stop that needs a bootstrap (both warnings).',
  fix: 'Set spec.replicas (or the Scale, or the HPA bounds) to 3, 5 or 7.',
  kinds: ['StatefulSet', 'Scale', 'HorizontalPodAutoscaler'],
  admission: {
    kinds: ['StatefulSet'],
    validations: [{ path: 'spec.replicas', expression: '!has(object.spec.replicas) || object.spec.replicas < 2 || object.spec.replicas % 2 == 1' }],
    webhookOnly: 'a Scale and a HorizontalPodAutoscaler are Galera only through their StatefulSet; 0 and 1 members are warnings',
  },
  check(subject: Subject): readonly RawFinding[] {
    const { object } = subject;
    if (object.kind === 'StatefulSet' && subject.galera.galera) {
      const replicas = int(at(object, 'spec', 'replicas'));
      return replicas === undefined ? [] : memberCountFindings(replicas, 'spec.replicas');
    }
    if (object.kind === 'Scale') {
      const parent = subject.related.get('StatefulSet', subject.ref.namespace, subject.ref.name);
      if (parent === undefined || !detectGalera(parent, subject.related).galera) return [];
      const replicas = int(at(object, 'spec', 'replicas'));
      return replicas === undefined ? [] : memberCountFindings(replicas, 'spec.replicas');
    }
    if (object.kind === 'HorizontalPodAutoscaler') return checkAutoscaler(subject);
    return [];
  },
};

function checkAutoscaler(subject: Subject): RawFinding[] {
  const { object, related, ref } = subject;
  const target = at(object, 'spec', 'scaleTargetRef');
  if (str(at(target, 'kind')) !== 'StatefulSet') return [];
  const name = str(at(target, 'name')) ?? '';
  if (!galeraStatefulSets(related, ref.namespace).some(({ sts }) => sts.metadata.name === name)) return [];
  const min = int(at(object, 'spec', 'minReplicas')) ?? 1;
  const max = int(at(object, 'spec', 'maxReplicas'));
  if (max === undefined) return [];
  if (min === max) return memberCountFindings(min, 'spec.minReplicas');
  return [
    {
      path: 'spec.maxReplicas',
      message: `spec.minReplicas is ${min} and spec.maxReplicas is ${max}; the autoscaler may pick any count in between, including even ones, but ${ODD_MEMBERS}: remove the HorizontalPodAutoscaler from Galera StatefulSet ${JSON.stringify(name)} or set minReplicas and maxReplicas to the same odd number`,
    },
  ];
}
