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
import type { AdmissionRequest, AdmissionResponse } from './admission.ts';
import type { ClusterCache } from './cache.ts';
import type { PolicyConfig } from './config.ts';
import { modeFor, type Decision } from './judge.ts';

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

/** The mutating endpoint's decision: at most the one patch above, never a denial. */
export function mutate(request: AdmissionRequest, config: PolicyConfig, cache: ClusterCache): Decision {
  const mode = modeFor(request, config, cache);
  const base: Decision = { response: { uid: request.uid, allowed: true }, verdict: 'allowed', findings: [], mode };
  const object = request.object;
  if (object === undefined || (request.operation !== 'CREATE' && request.operation !== 'UPDATE')) return base;
  if (config.exemptNamespaces.includes(request.namespace) || mode === 'off') return { ...base, verdict: 'exempt' };
  const { patch, reasons } = mutationFor(object, cache.view());
  if (patch.length === 0) return base;
  const response: AdmissionResponse = { uid: request.uid, allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') };
  return { ...base, response, note: reasons.join('; ') };
}
