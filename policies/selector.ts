/**
 * Label selectors (metav1.LabelSelector) as the apiserver evaluates them: matchLabels and
 * matchExpressions (In, NotIn, Exists, DoesNotExist) all hold. An empty selector selects
 * everything; a missing one selects nothing (the policy/v1 PodDisruptionBudget meaning).
 */
import { isRecord, records, str, strings } from './object.ts';

export function selects(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  if (!isRecord(selector)) return false;
  if (isRecord(selector.matchLabels)) {
    for (const [key, value] of Object.entries(selector.matchLabels)) {
      if (labels[key] !== value) return false;
    }
  }
  return records(selector.matchExpressions).every((expression) => {
    const key = str(expression.key) ?? '';
    const values = strings(expression.values);
    const value = labels[key];
    switch (str(expression.operator)) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        // The apiserver refuses any other operator; an unknown one selects nothing.
        return false;
    }
  });
}
