/**
 * What a PodDisruptionBudget allows over Galera members, shared by the rule (from the
 * budget's side and from the StatefulSet's) and by the admission filter's signals.
 *
 * Voluntary disruptions (node drains, cluster upgrades, evictions) go through the budget:
 * the disruption controller lets `maxUnavailable` members go, or all but `minAvailable`,
 * counting percentages of the selected controllers' replicas rounded up
 * (pkg/controller/disruption getExpectedPodCount), and everything when neither is set. A
 * Galera cluster of n members keeps quorum only while at most (n - 1) / 2 are down.
 */
import { galeraStatefulSets, galeraWords, CLUSTER_LABEL, type GaleraStatefulSet } from './detect.ts';
import { scaled, percentOf } from './int-or-percent.ts';
import { tolerableLosses } from './member-count.ts';
import { at, int, isRecord, labelsOf, nameOf, namespaceOf, record, show } from './object.ts';
import { selects } from './selector.ts';
import type { KubeObject, Related, Severity } from './types.ts';

export interface BudgetProblem {
  /** The Galera StatefulSet whose quorum is at stake. */
  sts: KubeObject;
  /** The budget's field: spec.maxUnavailable, spec.minAvailable, or spec when neither is set. */
  path: string;
  /** The value found and what it lets happen. */
  problem: string;
  fix: string;
  severity?: Severity;
}

/** The Galera StatefulSets in the budget's namespace whose pods it selects. */
export function selectedGaleraStatefulSets(budget: KubeObject, related: Related): GaleraStatefulSet[] {
  const selector = at(budget, 'spec', 'selector');
  return galeraStatefulSets(related, namespaceOf(budget)).filter(({ sts }) => selects(selector, labelsOf(at(sts, 'spec', 'template'))));
}

const replicasOf = (sts: KubeObject): number => int(at(sts, 'spec', 'replicas')) ?? 1;

/**
 * The problems of `budget` over the Galera StatefulSets it selects. Percentages count all
 * of them, as the disruption controller does; the evictions it allows may all fall on one.
 */
export function budgetProblems(budget: KubeObject, selected: readonly KubeObject[]): BudgetProblem[] {
  const total = selected.reduce((sum, sts) => sum + replicasOf(sts), 0);
  const spec = record(budget.spec) ?? {};
  const field = spec.maxUnavailable !== undefined ? 'maxUnavailable' : spec.minAvailable !== undefined ? 'minAvailable' : undefined;
  const value = field === undefined ? undefined : spec[field];
  const count = field === undefined ? 0 : scaled(value, total, true);
  if (count === undefined) return [];
  const allowed = field === 'maxUnavailable' ? Math.min(count, total) : field === 'minAvailable' ? Math.max(0, total - count) : total;
  const path = field === undefined ? 'spec' : `spec.${field}`;
  const percent = percentOf(value);
  const found =
    field === undefined
      ? 'neither spec.maxUnavailable nor spec.minAvailable is set, so the budget lets every member go'
      : `${path} is ${show(value)}${percent === undefined ? '' : ` (${String(count)} of ${String(total)} members: Kubernetes rounds percentages up)`}`;
  const fix = field === 'minAvailable' ? 'set spec.maxUnavailable: 1 instead of spec.minAvailable' : 'set spec.maxUnavailable: 1';
  const problems: BudgetProblem[] = [];
  for (const sts of selected) {
    const members = replicasOf(sts);
    // 0, 1 and 2 members have no quorum a budget could keep (odd-replicas judges them).
    if (members < 3) continue;
    const tolerable = tolerableLosses(members);
    const name = JSON.stringify(nameOf(sts));
    if (allowed > tolerable) {
      problems.push({
        sts,
        path,
        problem: `${found}; voluntary disruptions (node drains, evictions) may take ${String(Math.min(allowed, members))} of the ${String(members)} members of Galera StatefulSet ${name} down at once, but a Galera cluster of ${String(members)} members loses quorum when more than ${String(tolerable)} ${tolerable === 1 ? 'is' : 'are'} down`,
        fix,
      });
    } else if (allowed === 0) {
      problems.push({
        sts,
        path,
        severity: 'warn',
        problem: `${found}; no member of Galera StatefulSet ${name} may ever be evicted, so node drains and cluster upgrades wait forever`,
        fix: 'set spec.maxUnavailable: 1 (one member at a time keeps quorum)',
      });
    }
  }
  return problems;
}

/**
 * Signals a budget shows itself, for the admission filter: our label on it or in its
 * selector, or a Galera name on it or in its selector's labels. A budget without them is
 * judged from the StatefulSet's side and by `audit`.
 */
export function budgetSignal(budget: KubeObject): string | undefined {
  const own = labelsOf(budget)[CLUSTER_LABEL];
  if (own !== undefined) return `label ${CLUSTER_LABEL}=${own}`;
  const matchLabels = at(budget, 'spec', 'selector', 'matchLabels');
  const selected = isRecord(matchLabels) ? Object.entries(matchLabels) : [];
  const label = selected.find(([key]) => key === CLUSTER_LABEL);
  if (label !== undefined) return `selects ${CLUSTER_LABEL}=${String(label[1])}`;
  if (galeraWords(nameOf(budget))) return `name ${JSON.stringify(nameOf(budget))}`;
  const word = selected.find(([, value]) => typeof value === 'string' && galeraWords(value));
  return word === undefined ? undefined : `selects ${word[0]}=${String(word[1])}`;
}
