/**
 * Is this object a Galera workload? A cluster-wide webhook must never judge anything else,
 * so detection is conservative and explains itself. Signals, strongest first:
 *
 * 1. the label `galera-gitops.io/cluster` (explicit opt-in, on the object or its pods);
 * 2. Galera's replication ports (4567 group communication, 4568 IST, 4444 SST) on a
 *    container, counted only next to MySQL's 3306 or with a second replication port:
 *    4444 alone is Selenium Grid's port and 4567 alone Sinatra's default;
 * 3. `wsrep` settings or a `gcomm://` address in a container's command, args or env, or in
 *    a ConfigMap the pods mount (when that ConfigMap is visible) next to a MySQL-family
 *    container (the settings mean nothing to anything else);
 * 4. an image whose repository says galera, pxc or percona-xtradb-cluster (not an
 *    operator's image), or a name that does: for a StatefulSet the name alone, for other
 *    workloads only next to a MySQL server container (a MySQL-family image that is not a
 *    proxy, exporter or backup tool, listening on 3306): seed 001's Deployment `galera`
 *    of `severalnines/mariadb` shows nothing else, while a `galera-haproxy` or a
 *    `galera-exporter` Deployment sits next to a cluster without being one.
 *
 * The image `mariadb` alone is not a signal. Opt-out: the label `galera-gitops.io/ignore:
 * "true"`. Objects controlled by another object (a StatefulSet's pods, a Deployment's
 * ReplicaSets, an operator's StatefulSets) are not judged: their owner is.
 */
import { at, indexed, int, labelsOf, nameOf, namespaceOf, record, records, str } from './object.ts';
import type { GaleraVerdict, KubeObject, Related } from './types.ts';
import { containersOf, podSpecOf, type ContainerAt } from './workload.ts';

export const CLUSTER_LABEL = 'galera-gitops.io/cluster';
export const IGNORE_LABEL = 'galera-gitops.io/ignore';
export const REPLICATION_PORTS = [4567, 4568, 4444] as const;
export const MYSQL_PORT = 3306;

/**
 * The text signals as regular expression sources, matched case-insensitively. Both this
 * module (JavaScript) and the admission filter generated from it (CEL's RE2, see
 * match-conditions.ts) use them, so the two cannot drift apart.
 */
export const PATTERNS = {
  /** Galera settings or a Galera cluster address. */
  wsrep: 'wsrep|gcomm://',
  /** galera or pxc as a whole word, or percona-xtradb-cluster. */
  galeraWords: '(^|[^a-z0-9])(galera|pxc)([^a-z0-9]|$)|percona-xtradb-cluster',
  /** operator as a whole word: an operator's image or name is not the database it runs. */
  operator: '(^|[^a-z0-9])operator([^a-z0-9]|$)',
  /** A MySQL-family server image. */
  mysqlFamily: 'mysql|mariadb|percona|galera|pxc',
  /** Tools that serve or watch a MySQL-family server without being one (in an image or a name). */
  tool: '(^|[^a-z0-9])(exporter|metrics|proxy|proxysql|haproxy|maxscale|router|lb|backup|xtrabackup|client)([^a-z0-9]|$)',
} as const;

const WSREP = new RegExp(PATTERNS.wsrep, 'i');
const GALERA_WORDS = new RegExp(PATTERNS.galeraWords, 'i');
const OPERATOR = new RegExp(PATTERNS.operator, 'i');
const MYSQL_FAMILY = new RegExp(PATTERNS.mysqlFamily, 'i');
const TOOL = new RegExp(PATTERNS.tool, 'i');

const NOT_GALERA: GaleraVerdict = { galera: false, signals: [] };

/** Reasons an object is not judged at all, whatever it contains. */
export function skipReason(obj: KubeObject): string | undefined {
  if (labelsOf(obj)[IGNORE_LABEL] === 'true') return `label ${IGNORE_LABEL}=true`;
  for (const owner of records(obj.metadata.ownerReferences)) {
    if (owner.controller === true) {
      return `controlled by ${str(owner.kind) ?? 'another object'} ${JSON.stringify(str(owner.name) ?? '')}, which is judged instead`;
    }
  }
  return undefined;
}

export function detectGalera(obj: KubeObject, related: Related): GaleraVerdict {
  const skipped = skipReason(obj);
  if (skipped !== undefined) return { galera: false, signals: [], skipped };
  const pod = podSpecOf(obj);
  const signals: string[] = [];
  const label = labelsOf(obj)[CLUSTER_LABEL] ?? labelsOf(at(obj, 'spec', 'template'))[CLUSTER_LABEL];
  if (label !== undefined) signals.push(`label ${CLUSTER_LABEL}=${label}`);
  if (pod !== undefined) {
    const containers = containersOf(pod);
    signals.push(...containers.flatMap(portSignal));
    signals.push(...containers.flatMap(wsrepSignal));
    if (containers.some(mysqlFamily)) signals.push(...configMapSignals(pod.spec, namespaceOf(obj), related));
    signals.push(...containers.flatMap(imageSignal));
  }
  signals.push(...nameSignal(obj));
  return signals.length === 0 ? NOT_GALERA : { galera: true, signals };
}

/** A Galera name: enough for a StatefulSet; another workload must also run a MySQL server. */
function nameSignal(obj: KubeObject): string[] {
  const name = nameOf(obj);
  if (!galeraWords(name)) return [];
  if (obj.kind === 'StatefulSet') return [`name ${JSON.stringify(name)}`];
  const pod = podSpecOf(obj);
  if (pod === undefined || TOOL.test(name)) return [];
  const server = containersOf(pod).find(mysqlServer);
  if (server === undefined) return [];
  return [`name ${JSON.stringify(name)} with MySQL server container ${JSON.stringify(server.name)} (image ${str(server.container.image) ?? ''} on port ${String(MYSQL_PORT)})`];
}

/** A container running a MySQL-family server: its image says so (and is no tool) and it listens on 3306. */
function mysqlServer({ container }: ContainerAt): boolean {
  const image = str(container.image) ?? '';
  return MYSQL_FAMILY.test(image) && !TOOL.test(image) && records(container.ports).some((p) => int(p.containerPort) === MYSQL_PORT);
}

function portSignal({ container, name }: ContainerAt): string[] {
  const ports = records(container.ports).map((p) => int(p.containerPort)).filter((p) => p !== undefined);
  const replication = ports.filter((p) => (REPLICATION_PORTS as readonly number[]).includes(p));
  if (replication.length === 0) return [];
  if (replication.length < 2 && !ports.includes(MYSQL_PORT)) return [];
  const shown = [...new Set([...replication, ...ports.filter((p) => p === MYSQL_PORT)])].sort((a, b) => a - b);
  return [`container ports ${shown.join(', ')} on container ${JSON.stringify(name)}`];
}

function wsrepSignal({ container, name }: ContainerAt): string[] {
  const where: string[] = [];
  const words = [...stringsIn(container.command), ...stringsIn(container.args)];
  if (words.some((w) => WSREP.test(w))) where.push('command/args');
  for (const env of records(container.env)) {
    const envName = str(env.name) ?? '';
    if (WSREP.test(envName) || WSREP.test(str(env.value) ?? '')) {
      where.push(`env ${envName}`);
      break;
    }
  }
  return where.map((w) => `wsrep/gcomm:// in ${w} of container ${JSON.stringify(name)}`);
}

function stringsIn(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * The ConfigMaps whose contents detection reads for this workload (those its pods mount,
 * next to a MySQL-family container): what a reader of a live cluster must fetch so that
 * detection sees what it would see in a bundle.
 */
export function configMapsRead(obj: KubeObject): string[] {
  const pod = podSpecOf(obj);
  if (pod === undefined || !containersOf(pod).some(mysqlFamily)) return [];
  return indexed(pod.spec.volumes).map(([, volume]) => str(record(volume.configMap)?.name)).filter((name) => name !== undefined);
}

/** A tool that serves or watches a MySQL-family server without being one. */
export function isTool(text: string): boolean {
  return TOOL.test(text);
}

function configMapSignals(podSpec: Record<string, unknown>, namespace: string, related: Related): string[] {
  const out: string[] = [];
  for (const [, volume] of indexed(podSpec.volumes)) {
    const name = str(record(volume.configMap)?.name);
    if (name === undefined) continue;
    const configMap = related.get('ConfigMap', namespace, name);
    const data = record(configMap?.data) ?? {};
    if (Object.values(data).some((v) => typeof v === 'string' && WSREP.test(v))) {
      out.push(`wsrep settings in ConfigMap ${JSON.stringify(name)} mounted by the pods`);
    }
  }
  return out;
}

function imageSignal({ container }: ContainerAt): string[] {
  const image = str(container.image);
  if (image === undefined) return [];
  // Drop the digest and tag; keep registry host and path.
  const repository = image.split('@')[0]?.replace(/:[^/:]*$/, '') ?? '';
  return galeraWords(repository) ? [`image ${image}`] : [];
}

/** galera, pxc or percona-xtradb-cluster as whole words, and not an operator. */
export function galeraWords(text: string): boolean {
  return GALERA_WORDS.test(text) && !OPERATOR.test(text);
}

/** A container of a MySQL-family server: its image says so, or it listens on 3306. */
export function mysqlFamily({ container }: ContainerAt): boolean {
  if (MYSQL_FAMILY.test(str(container.image) ?? '')) return true;
  return records(container.ports).some((p) => int(p.containerPort) === MYSQL_PORT);
}

/** StatefulSets in the namespace that are Galera, with their verdicts. */
export function galeraStatefulSets(related: Related, namespace: string): GaleraStatefulSet[] {
  // A Related is a snapshot for one evaluation (one bundle, one admission review), so
  // the answer per namespace can be kept for as long as the view lives.
  let perNamespace = memo.get(related);
  if (perNamespace === undefined) {
    perNamespace = new Map();
    memo.set(related, perNamespace);
  }
  let found = perNamespace.get(namespace);
  if (found === undefined) {
    found = related
      .list('StatefulSet', namespace)
      .map((sts) => ({ sts, verdict: detectGalera(sts, related) }))
      .filter((entry) => entry.verdict.galera);
    perNamespace.set(namespace, found);
  }
  return found;
}

export interface GaleraStatefulSet {
  sts: KubeObject;
  verdict: GaleraVerdict;
}

const memo = new WeakMap<Related, Map<string, GaleraStatefulSet[]>>();
