/**
 * The admission filter: CEL `matchConditions` that let the apiserver call the webhook only
 * for objects that can be Galera, generated from the detection signals themselves
 * (detect.ts, service.ts), so no Galera object can slip past a hand-kept copy.
 *
 * The filter is a superset of detection: it may send an object detection then finds not
 * to be Galera (a mariadb image with a mounted ConfigMap), never the other way round. What
 * it cannot see it leaves to the side that can: a Service that governs a Galera
 * StatefulSet without looking like it (no label, Galera name or replication port) is
 * judged when that StatefulSet is applied against the webhook's cache; a claim is sent
 * when its name or label says Galera. It always sends what must
 * always be seen: the statefulsets/scale subresource (a Scale carries no pod template) and
 * HorizontalPodAutoscalers that target a StatefulSet. Objects controlled by another object
 * (a Deployment's ReplicaSets, every controller's pods) and objects opted out are never
 * sent: their owner is judged, and they are most of a cluster's writes.
 */
import { CLUSTER_LABEL, IGNORE_LABEL, MYSQL_PORT, PATTERNS, REPLICATION_PORTS } from './detect.ts';

export interface MatchCondition {
  name: string;
  expression: string;
}

export const lit = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
export const re = (source: string): string => lit(`(?i)${source}`);
/** detect.ts galeraWords: the words, and not an operator. */
const galeraWords = (text: string): string => `(${text}.matches(${re(PATTERNS.galeraWords)}) && !${text}.matches(${re(PATTERNS.operator)}))`;
const list = (values: readonly number[]): string => `[${values.join(', ')}]`;

/** Init containers and containers of the pod spec at `ps`. */
export const containers = (ps: string): string => `((has(${ps}.initContainers) ? ${ps}.initContainers : []) + (has(${ps}.containers) ? ${ps}.containers : []))`;

/** detect.ts portSignal: two replication ports, or one next to 3306, on one container. */
const portSignal = (c: string): string => {
  const replication = `has(p.containerPort) && p.containerPort in ${list(REPLICATION_PORTS)}`;
  return `(has(${c}.ports) && (${c}.ports.filter(p, ${replication}).size() >= 2 || (${c}.ports.exists(p, ${replication}) && ${c}.ports.exists(p, has(p.containerPort) && p.containerPort == ${String(MYSQL_PORT)}))))`;
};

/** detect.ts wsrepSignal: wsrep or gcomm:// in command, args, or an env name or value. */
const wsrepSignal = (c: string): string => {
  const words = (field: string): string => `(has(${c}.${field}) && ${c}.${field}.exists(w, w.matches(${re(PATTERNS.wsrep)})))`;
  const env = `(has(${c}.env) && ${c}.env.exists(e, e.name.matches(${re(PATTERNS.wsrep)}) || (has(e.value) && e.value.matches(${re(PATTERNS.wsrep)}))))`;
  return `(${words('command')} || ${words('args')} || ${env})`;
};

/** detect.ts imageSignal, on the whole reference (tag included: a superset); `exact`: on the repository, as detection does. */
const imageSignal = (c: string, exact = false): string => (exact ? `(has(${c}.image) && ${galeraWords(repository(`${c}.image`))})` : `(has(${c}.image) && ${galeraWords(`${c}.image`)})`);

/** The repository of the image reference `image`: no digest, no tag (a colon after the last slash). */
export const repository = (image: string): string => {
  // Kubernetes' CEL has no cel.bind: the reference without digest is spelled out each time.
  const r = `${image}.split('@')[0]`;
  return `(${r}.lastIndexOf(':') > ${r}.lastIndexOf('/') ? ${r}.substring(0, ${r}.lastIndexOf(':')) : ${r})`;
};

/** detect.ts mysqlFamily, the condition of the ConfigMap signal. */
export const mysqlFamily = (c: string): string => `((has(${c}.image) && ${c}.image.matches(${re(PATTERNS.mysqlFamily)})) || (has(${c}.ports) && ${c}.ports.exists(p, has(p.containerPort) && p.containerPort == ${String(MYSQL_PORT)})))`;

/** detect.ts mysqlServer: a MySQL-family image that is no tool, listening on 3306. */
const mysqlServer = (c: string): string => `(has(${c}.image) && ${c}.image.matches(${re(PATTERNS.mysqlFamily)}) && !${c}.image.matches(${re(PATTERNS.tool)}) && has(${c}.ports) && ${c}.ports.exists(p, has(p.containerPort) && p.containerPort == ${String(MYSQL_PORT)}))`;

/** The pod signals of the pod spec at `ps`; a mounted ConfigMap counts next to a MySQL-family container. */
const podSignals = (ps: string, exact = false): string => {
  const perContainer = `${containers(ps)}.exists(c, ${portSignal('c')} || ${wsrepSignal('c')} || ${imageSignal('c', exact)})`;
  // Exact detection from the object alone cannot read the ConfigMap, so it leaves that signal out.
  if (exact) return perContainer;
  const configMap = `(has(${ps}.volumes) && ${ps}.volumes.exists(v, has(v.configMap)) && ${containers(ps)}.exists(c, ${mysqlFamily('c')}))`;
  return `(${perContainer} || ${configMap})`;
};

const labelled = (meta: string): string => `(has(${meta}.labels) && ${lit(CLUSTER_LABEL)} in ${meta}.labels)`;

/** A workload (StatefulSet, Deployment, ReplicaSet, DaemonSet, ReplicationController, Pod) that can be Galera. */
function workload(o: string, exact = false): string {
  const controlled = `(has(${o}.metadata.ownerReferences) && ${o}.metadata.ownerReferences.exists(r, has(r.controller) && r.controller))`;
  const template = `${o}.spec.template`;
  const hasTemplate = `has(${o}.spec) && has(${template})`;
  const podSpec = `(${o}.kind == 'Pod' ? (has(${o}.spec) && ${podSignals(`${o}.spec`, exact)}) : (${hasTemplate} && has(${template}.spec) && ${podSignals(`${template}.spec`, exact)}))`;
  const templateLabel = `(${o}.kind != 'Pod' && ${hasTemplate} && has(${template}.metadata) && ${labelled(`${template}.metadata`)})`;
  // detect.ts nameSignal: a Galera name on a StatefulSet, or on another workload that is no tool and runs a MySQL server.
  const server = (ps: string): string => `(!${o}.metadata.name.matches(${re(PATTERNS.tool)}) && ${containers(ps)}.exists(c, ${mysqlServer('c')}))`;
  const serverPod = `(${o}.kind == 'Pod' ? (has(${o}.spec) && ${server(`${o}.spec`)}) : (${hasTemplate} && has(${template}.spec) && ${server(`${template}.spec`)}))`;
  const name = `(has(${o}.metadata.name) && ${galeraWords(`${o}.metadata.name`)} && (${o}.kind == 'StatefulSet' || ${serverPod}))`;
  return `(!${controlled} && (${labelled(`${o}.metadata`)} || ${templateLabel} || ${name} || ${podSpec}))`;
}

/**
 * service.ts galeraServiceReason, the part a Service shows itself: headless, with our label,
 * a Galera name or a replication port.
 */
const service = (o: string): string => {
  const replication = (field: string): string => `(has(p.${field}) && type(p.${field}) == int && p.${field} in ${list(REPLICATION_PORTS)})`;
  const port = `(has(${o}.spec.ports) && ${o}.spec.ports.exists(p, ${replication('port')} || ${replication('targetPort')}))`;
  const name = `(has(${o}.metadata.name) && ${galeraWords(`${o}.metadata.name`)})`;
  return `(has(${o}.spec) && has(${o}.spec.clusterIP) && ${o}.spec.clusterIP == 'None' && (${labelled(`${o}.metadata`)} || ${name} || ${port}))`;
};

const claim = (o: string): string => `(${labelled(`${o}.metadata`)} || (has(${o}.metadata.name) && ${galeraWords(`${o}.metadata.name`)}))`;

const autoscaler = (o: string): string => `(has(${o}.spec) && has(${o}.spec.scaleTargetRef) && ${o}.spec.scaleTargetRef.kind == 'StatefulSet')`;

/** Opted out with the label galera-gitops.io/ignore: "true" (detect.ts skipReason): never judged. */
const optedOut = (o: string): string => `(has(${o}.metadata.labels) && ${lit(IGNORE_LABEL)} in ${o}.metadata.labels && ${o}.metadata.labels[${lit(IGNORE_LABEL)}] == 'true')`;

/** `check(object)`, or on UPDATE also `check(oldObject)`: an object that stops looking like Galera is still seen. */
const eitherObject = (check: (o: string) => string): string => {
  const judged = (o: string): string => `(!${optedOut(o)} && ${check(o)})`;
  return `(${judged('object')} || (oldObject != null && ${judged('oldObject')}))`;
};

/**
 * detect.ts detectGalera for a workload, exactly, from the object alone: what an admission
 * policy can decide without the webhook. It differs from detection only where detection
 * reads another object (a mounted ConfigMap's wsrep settings): such a workload is judged
 * by the webhook and `audit` alone.
 */
export function galeraWorkload(o: string): string {
  return `(!${optedOut(o)} && ${workload(o, true)})`;
}

/**
 * A PodDisruptionBudget that may be over Galera members, from the budget alone: the
 * cluster label, or Galera words in its name or its selector's labels. A budget with none
 * of these is judged with its StatefulSet (the webhook's cache holds the budgets) and by
 * `audit`.
 */
const budget = (o: string): string => {
  const matchLabels = `${o}.spec.selector.matchLabels`;
  const selector = `(has(${o}.spec) && has(${o}.spec.selector) && has(${matchLabels}) && (${lit(CLUSTER_LABEL)} in ${matchLabels} || ${matchLabels}.exists(k, ${galeraWords(`${matchLabels}[k]`)})))`;
  return `(${labelled(`${o}.metadata`)} || (has(${o}.metadata.name) && ${galeraWords(`${o}.metadata.name`)}) || ${selector})`;
};

export function validatingMatchConditions(): MatchCondition[] {
  const expression = [
    `has(request.subResource) && request.subResource == 'scale' ? true :`,
    `request.resource.resource == 'horizontalpodautoscalers' ? ${eitherObject(autoscaler)} :`,
    `request.resource.resource == 'services' ? ${eitherObject(service)} :`,
    `request.resource.resource == 'persistentvolumeclaims' ? ${eitherObject(claim)} :`,
    `request.resource.resource == 'poddisruptionbudgets' ? ${eitherObject(budget)} :`,
    eitherObject(workload),
  ].join('\n');
  return [{ name: 'may-be-galera', expression }];
}

export function mutatingMatchConditions(): MatchCondition[] {
  return [{ name: 'may-govern-galera', expression: eitherObject(service) }];
}
