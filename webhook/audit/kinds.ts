/**
 * What an audit lists from a live cluster: every kind a rule of the catalogue judges (its
 * `kinds`), at the API version the apiserver serves it, plus Namespaces for their mode
 * labels. Scale is a subresource (its StatefulSet is listed) and `*` means any of these.
 * ConfigMaps are not listed: detection reads only those the Galera-looking pods mount,
 * fetched one by one (read.ts), so the audit never needs to read every ConfigMap.
 */
import { CATALOGUE } from '../../policies/index.ts';

/** The served API version of each kind a rule may name. */
const API_VERSIONS: Readonly<Record<string, string>> = {
  StatefulSet: 'apps/v1',
  Deployment: 'apps/v1',
  ReplicaSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Pod: 'v1',
  ReplicationController: 'v1',
  Service: 'v1',
  PersistentVolumeClaim: 'v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  PodDisruptionBudget: 'policy/v1',
  Namespace: 'v1',
};

export interface ListedKind {
  kind: string;
  apiVersion: string;
}

export function auditedKinds(): ListedKind[] {
  const kinds = new Set(CATALOGUE.flatMap((rule) => rule.kinds).filter((kind) => kind !== 'Scale' && kind !== '*'));
  kinds.add('Namespace');
  return [...kinds].sort().map((kind) => {
    const apiVersion = API_VERSIONS[kind];
    if (apiVersion === undefined) throw new Error(`audit: no API version known for kind ${kind}, which a rule judges: add it to audit/kinds.ts`);
    return { kind, apiVersion };
  });
}
