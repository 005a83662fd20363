import { budgetProblems, selectedGaleraStatefulSets } from '../budget.ts';
import { at, labelsOf, nameOf } from '../object.ts';
import { isLive, judgedTogether } from '../scope.ts';
import { selects } from '../selector.ts';
import type { RawFinding, Rule, Subject } from '../types.ts';

/**
 * A PodDisruptionBudget over Galera members must let a drain proceed one member at a time
 * and never take quorum. Judged on the budget (it selects a visible Galera StatefulSet)
 * and, online, on the StatefulSet (its replicas change what an existing budget allows).
 */
export const disruptionBudget: Rule = {
  id: 'disruption-budget',
  severity: 'deny',
  title: 'A PodDisruptionBudget never lets voluntary disruptions break quorum',
  why: 'Node drains, cluster upgrades and evictions take members down as far as the PodDisruptionBudget allows: maxUnavailable members, or all but minAvailable, percentages rounded up, and every member when neither is set. A Galera cluster of n members loses quorum (and stops accepting writes) when more than (n - 1) / 2 are down, so a budget must allow at most that many: maxUnavailable: 3 or 66% on 3 members allows 2 or 3. A budget that allows none (maxUnavailable: 0, minAvailable: 100%) blocks every drain forever (a warning). Clusters of 1 or 2 members have no quorum to keep and are judged by odd-replicas. Online the StatefulSet is judged too, since its replicas change what the budget allows; a budget the admission filter does not recognise by itself (no Galera label or name) applied after its StatefulSet is found by `audit`.',
  fix: 'Set spec.maxUnavailable: 1 on the PodDisruptionBudget (it keeps quorum at every odd size) and remove minAvailable.',
  kinds: ['PodDisruptionBudget', 'StatefulSet'],
  webhookOnly: 'a PodDisruptionBudget is judged with the Galera StatefulSets it selects',
  check(subject: Subject): readonly RawFinding[] {
    if (subject.object.kind === 'PodDisruptionBudget') return checkBudget(subject);
    if (subject.object.kind === 'StatefulSet' && subject.galera.galera && isLive(subject.related) && !judgedTogether(subject.related)) return checkStatefulSet(subject);
    return [];
  },
};

function checkBudget(subject: Subject): RawFinding[] {
  const selected = selectedGaleraStatefulSets(subject.object, subject.related);
  return budgetProblems(subject.object, selected.map(({ sts }) => sts)).map((p) => {
    const verdict = selected.find(({ sts }) => sts === p.sts)?.verdict;
    return {
      path: p.path,
      message: `${p.problem}: ${p.fix}`,
      ...(p.severity === undefined ? {} : { severity: p.severity }),
      detection: `selects the members of Galera StatefulSet ${JSON.stringify(nameOf(p.sts))} (${verdict?.signals[0] ?? 'Galera'})`,
    };
  });
}

/** The StatefulSet under review, with the budgets the cluster already has over its pods. */
function checkStatefulSet(subject: Subject): RawFinding[] {
  const { object, related, ref } = subject;
  const podLabels = labelsOf(at(object, 'spec', 'template'));
  const findings: RawFinding[] = [];
  for (const budget of related.list('PodDisruptionBudget', ref.namespace)) {
    if (!selects(at(budget, 'spec', 'selector'), podLabels)) continue;
    const others = selectedGaleraStatefulSets(budget, related).map(({ sts }) => sts).filter((sts) => nameOf(sts) !== ref.name);
    const name = JSON.stringify(nameOf(budget));
    for (const p of budgetProblems(budget, [object, ...others]).filter((problem) => problem.sts === object)) {
      findings.push({
        path: 'spec.replicas',
        message: `PodDisruptionBudget ${name} selects these members, and its ${p.problem}: ${p.fix} on PodDisruptionBudget ${name}`,
        ...(p.severity === undefined ? {} : { severity: p.severity }),
      });
    }
  }
  return findings;
}
