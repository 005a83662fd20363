/**
 * An audit's verdicts: every listed object judged by the whole catalogue, the cross-object
 * rules seeing the rest of what was listed (scope `audit`: an object that was not listed
 * does not exist). Each finding stays paired with the object it is about, as the cluster
 * holds it, for the PolicyReports and Events that point back at it.
 */
import { evaluateBundle, type Finding, type KubeObject, type SeverityOverrides } from '../../policies/index.ts';

export interface AuditedFinding {
  finding: Finding;
  /** The object as listed (its uid and apiVersion name it in reports and Events). */
  object: KubeObject;
}

export interface AuditResult {
  /** Objects judged (Namespaces and mounted ConfigMaps are read for context only). */
  objects: number;
  findings: AuditedFinding[];
}

const CONTEXT_KINDS = new Set(['Namespace', 'ConfigMap']);

export function auditObjects(objects: readonly KubeObject[], overrides: SeverityOverrides = {}): AuditResult {
  const perObject = evaluateBundle(objects, overrides, 'audit');
  const findings = perObject.flatMap((list, i) => {
    const object = objects[i];
    return object === undefined ? [] : list.map((finding) => ({ finding, object }));
  });
  const key = ({ finding: f }: AuditedFinding): string => `${f.object.namespace}\u0000${f.object.kind}\u0000${f.object.name}`;
  // Sorted by namespace, kind and name; within one object, catalogue order (sort is stable).
  findings.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return { objects: objects.filter((o) => !CONTEXT_KINDS.has(o.kind)).length, findings };
}
