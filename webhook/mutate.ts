/**
 * The mutation: a Galera governing Service that left out publishNotReadyAddresses (for
 * example one that still relies on the deprecated tolerate-unready annotation) gets it.
 * Only fields the manifest left out are added, nothing set is changed, GitOps tracking
 * metadata is never touched, and a second pass yields no patch: that is what keeps Argo CD
 * from showing a permanent OutOfSync.
 */
import type { Operation } from 'fast-json-patch';
import { galeraServiceReason, normalise, type KubeObject, type Related } from '../policies/index.ts';
import { isRecord } from '../policies/object.ts';

export interface Mutation {
  patch: Operation[];
  /** Why, for the log. */
  reasons: string[];
}

export function mutationFor(object: KubeObject, related: Related): Mutation {
  if (object.kind !== 'Service') return { patch: [], reasons: [] };
  const spec = object.spec;
  if (!isRecord(spec) || spec.publishNotReadyAddresses !== undefined) return { patch: [], reasons: [] };
  const reason = galeraServiceReason(normalise(object), related);
  if (reason === undefined) return { patch: [], reasons: [] };
  return {
    patch: [{ op: 'add', path: '/spec/publishNotReadyAddresses', value: true }],
    reasons: [`added spec.publishNotReadyAddresses: true (${reason})`],
  };
}
