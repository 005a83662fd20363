/**
 * One admission decision: the catalogue on the request's object, the namespace's mode,
 * the configured severities and waivers, and the words the user will read in kubectl or in
 * a failed Argo CD / Flux sync. No I/O: the cache view and config come in.
 */
import { blocks, evaluate, memberCountFindings, type Finding, type KubeObject } from '../policies/index.ts';
import { at, int } from '../policies/object.ts';
import type { AdmissionRequest, AdmissionResponse } from './admission.ts';
import type { ClusterCache } from './cache.ts';
import type { Mode, PolicyConfig } from './config.ts';
import { syncedBy } from './tracking.ts';

export const MODE_LABEL = 'galera-gitops.io/mode';

export type Verdict = 'allowed' | 'denied' | 'warned' | 'exempt';

export interface Decision {
  response: AdmissionResponse;
  verdict: Verdict;
  findings: Finding[];
  mode: Mode;
  /** Why a review was not judged (exempt namespace, mode off, operation), for the log. */
  note?: string;
}

/** Kubernetes wants each warning under 120 characters and all of them within 4 KiB. */
const WARNING_LIMIT = 119;
const WARNINGS_TOTAL = 4096;

/** The config's mode, unless the namespace's galera-gitops.io/mode label says otherwise. */
export function modeFor(request: AdmissionRequest, config: PolicyConfig, cache: ClusterCache): Mode {
  const label = cache.namespaceLabels(request.namespace)?.[MODE_LABEL];
  return label === 'enforce' || label === 'warn' || label === 'off' ? label : config.mode;
}

function objectName(request: AdmissionRequest, object: KubeObject | undefined): string {
  const kind = object?.kind ?? request.kind.kind;
  const name = request.name !== '' ? request.name : typeof object?.metadata.name === 'string' ? object.metadata.name : typeof object?.metadata.generateName === 'string' ? `${object.metadata.generateName}*` : '(unnamed)';
  return `${kind} ${request.namespace === '' ? '' : `${request.namespace}/`}${name}`;
}

export function denyMessage(subject: string, findings: readonly Finding[], origin: string | undefined): string {
  const where = origin === undefined ? '' : ` (applied by ${origin}: fix it there)`;
  const lines = findings.map((f) => `- ${f.rule} at ${f.path}: ${f.message}`);
  return `${subject} breaks ${findings.length === 1 ? 'a Galera rule' : `${String(findings.length)} Galera rules`}${where}:\n${lines.join('\n')}`;
}

export function warningsFor(findings: readonly Finding[]): string[] {
  const out: string[] = [];
  let total = 0;
  for (const f of findings) {
    const text = f.waived !== undefined ? `${f.rule} waived (${f.waived}): ${f.message}` : `${f.rule}: ${f.message}`;
    const short = text.length > WARNING_LIMIT ? `${text.slice(0, WARNING_LIMIT - 1)}…` : text;
    if (total + short.length > WARNINGS_TOTAL) break;
    total += short.length;
    out.push(short);
  }
  return out;
}

/** A Scale whose parent the cache cannot see: an even count is decided by the failure mode. */
function unknownParentFindings(request: AdmissionRequest, object: KubeObject, config: PolicyConfig, cache: ClusterCache): Finding[] {
  const replicas = int(at(object, 'spec', 'replicas'));
  if (replicas === undefined || config.unknownParent === 'allow') return [];
  const even = memberCountFindings(replicas, 'spec.replicas').filter((f) => f.severity === undefined);
  const why = !cache.connected
    ? 'cannot be looked up (the webhook runs without cluster credentials)'
    : cache.stale()
      ? "cannot be looked up (the webhook's cache is stale: its watch of the apiserver is broken)"
      : "is not in the webhook's cache (it may have been created a moment ago)";
  return even.map((f) => ({
    rule: 'odd-replicas',
    severity: 'deny',
    object: { kind: 'Scale', namespace: request.namespace, name: request.name },
    path: f.path,
    message: `${f.message}; StatefulSet ${request.name} ${why}, so galera-gitops cannot tell whether it is a Galera cluster and denies even counts (policy unknownParent: deny); retry, or scale to an odd count`,
  }));
}

export function judge(request: AdmissionRequest, config: PolicyConfig, cache: ClusterCache): Decision {
  const allow = (verdict: Verdict, note: string | undefined, mode: Mode): Decision => ({ response: { uid: request.uid, allowed: true }, verdict, findings: [], mode, ...(note === undefined ? {} : { note }) });
  if (request.operation === 'DELETE' || request.operation === 'CONNECT') return allow('allowed', `${request.operation} is not judged`, config.mode);
  if (config.exemptNamespaces.includes(request.namespace)) return allow('exempt', `namespace ${request.namespace} is exempt`, config.mode);
  const mode = modeFor(request, config, cache);
  if (mode === 'off') return allow('exempt', `mode off for namespace ${request.namespace}`, mode);
  const object = request.object;
  if (object === undefined) return allow('allowed', 'no object', mode);
  const related = cache.view();
  let findings: Finding[];
  if (request.subResource === 'scale' && related.get('StatefulSet', request.namespace, request.name) === undefined) {
    findings = unknownParentFindings(request, object, config, cache);
  } else {
    findings = evaluate({ object, operation: request.operation, ...(request.oldObject === undefined ? {} : { oldObject: request.oldObject }), related }, config.severity);
  }
  const denying = findings.filter(blocks);
  const others = findings.filter((f) => !blocks(f));
  if (denying.length > 0 && mode === 'enforce') {
    return {
      response: {
        uid: request.uid,
        allowed: false,
        status: { code: 403, reason: 'Forbidden', message: denyMessage(objectName(request, object), denying, syncedBy(object)) },
        ...(others.length > 0 ? { warnings: warningsFor(others) } : {}),
      },
      verdict: 'denied',
      findings,
      mode,
    };
  }
  if (findings.length === 0) return { response: { uid: request.uid, allowed: true }, verdict: 'allowed', findings, mode };
  return { response: { uid: request.uid, allowed: true, warnings: warningsFor(findings) }, verdict: 'warned', findings, mode };
}
