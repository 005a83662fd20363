/**
 * Findings as Kubernetes Events on the objects they are about (type Warning, reason
 * GaleraRule), so `kubectl describe` and the Argo CD and Flux UIs show what admission
 * warnings never reach. One Event per object, rule and field, named from them: a later
 * audit that finds the same problem patches its lastTimestamp and message instead of
 * adding another, so a periodic audit never floods the namespace.
 */
import { createHash } from 'node:crypto';
import { KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { AuditedFinding } from './judge.ts';
import { MANAGED_BY } from './policy-reports.ts';
import { retrying } from './retry.ts';

export const EVENT_REASON = 'GaleraRule';
/** The size of an events.k8s.io note; core Events have no limit, but UIs cut long ones. */
const MAX_MESSAGE = 1024;

export interface EventObject extends KubernetesObject {
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  involvedObject: { apiVersion: string; kind: string; name: string; namespace: string; uid?: string };
  reason: string;
  message: string;
  type: 'Warning';
  source: { component: string };
  reportingComponent: string;
  reportingInstance: string;
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
}

export function eventFor({ finding: f, object }: AuditedFinding, now: Date, instance: string): EventObject {
  const hash = createHash('sha256').update(`${f.object.kind}/${f.object.name}/${f.rule}/${f.path}`).digest('hex').slice(0, 10);
  const text = `${f.rule} at ${f.path}: ${f.message}`;
  const uid = typeof object.metadata.uid === 'string' ? object.metadata.uid : undefined;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${f.object.name.slice(0, 200)}.galera-${hash}`, namespace: f.object.namespace, labels: { ...MANAGED_BY } },
    involvedObject: { apiVersion: object.apiVersion, kind: object.kind, name: f.object.name, namespace: f.object.namespace, ...(uid === undefined ? {} : { uid }) },
    reason: EVENT_REASON,
    message: text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 3)}...` : text,
    type: 'Warning',
    source: { component: 'galera-gitops' },
    reportingComponent: 'galera-gitops',
    reportingInstance: instance,
    firstTimestamp: now.toISOString().replace(/\.\d+Z$/, 'Z'),
    lastTimestamp: now.toISOString().replace(/\.\d+Z$/, 'Z'),
    count: 1,
  };
}

function conflict(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 409;
}

/** Creates each finding's Event, or refreshes the one an earlier audit created. Returns how many. */
export async function recordEvents(kc: KubeConfig, findings: readonly AuditedFinding[], now: Date, instance: string): Promise<number> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  let recorded = 0;
  for (const audited of findings) {
    if (audited.finding.object.namespace === '') continue;
    const event = eventFor(audited, now, instance);
    try {
      await retrying(() => api.create(event));
    } catch (error) {
      if (!conflict(error)) throw error;
      const refresh = { apiVersion: 'v1', kind: 'Event', metadata: { name: event.metadata.name, namespace: event.metadata.namespace }, message: event.message, lastTimestamp: event.lastTimestamp };
      await retrying(() => api.patch(refresh, undefined, undefined, 'galera-gitops', undefined, PatchStrategy.MergePatch));
    }
    recorded++;
  }
  return recorded;
}
