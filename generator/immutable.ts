/**
 * StatefulSet fields Kubernetes will not change on a live object. When a regeneration
 * changes one, the apply will be rejected: say so before it is committed, with the way out.
 */
import { parseAllDocuments } from 'yaml';
import { at, isRecord } from '../policies/object.ts';

const IMMUTABLE = ['volumeClaimTemplates', 'podManagementPolicy', 'serviceName', 'selector'] as const;

function statefulSetSpec(text: string): Record<string, unknown> | undefined {
  for (const doc of parseAllDocuments(text)) {
    const value: unknown = doc.toJS();
    if (isRecord(value) && value.kind === 'StatefulSet') {
      const spec = at(value, 'spec');
      return isRecord(spec) ? spec : undefined;
    }
  }
  return undefined;
}

/** Warnings for one generated file that holds (part of) the StatefulSet, old text against new. */
export function immutableChanges(path: string, before: string, after: string, cluster: string, namespaces: readonly string[]): string[] {
  const old = statefulSetSpec(before);
  const now = statefulSetSpec(after);
  if (old === undefined || now === undefined) return [];
  const changed = IMMUTABLE.filter((field) => JSON.stringify(old[field]) !== JSON.stringify(now[field]));
  return changed.map((field) => {
    const resize = field === 'volumeClaimTemplates' ? '; a larger volume also needs each claim data-' + cluster + '-<i> resized by hand, where its StorageClass allows expansion' : '';
    const ns = namespaces.length === 1 ? `-n ${namespaces[0] ?? ''} ` : '-n <namespace> ';
    return `${path} changes spec.${field} of StatefulSet ${cluster}, which Kubernetes will not change on a live StatefulSet, so the next sync will be rejected. Way out: kubectl ${ns}delete statefulset ${cluster} --cascade=orphan, then sync again (pods and volumes stay${resize})`;
  });
}
