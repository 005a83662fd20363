/**
 * Reads a cluster spec file: YAML parsed with positions, validated by the JSON Schema in
 * schemas/ (ajv), then checked for what a schema cannot say (quorum, colliding
 * namespaces). Every error names the file, line, column and field.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { closest, distance } from 'fastest-levenshtein';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { memberCountFindings } from '../policies/index.ts';
import schema from '../schemas/galera-cluster.schema.json' with { type: 'json' };
import { SIZES } from './sizes.ts';
import type { Backup, ClusterSpec, Environment, RawSpec } from './spec-types.ts';

/** mysqld_exporter, pinned: the release the tests build from its Go module (scripts/tools.sh). */
export const DEFAULT_EXPORTER_IMAGE = 'quay.io/prometheus/mysqld-exporter:v0.19.0';
/** The S3 client of backups to a bucket: its static rclone binary is copied beside mariadb-backup. */
export const DEFAULT_S3_CLIENT_IMAGE = 'docker.io/rclone/rclone:1.76.0';

/** Where backups go; with neither or both, semanticProblems reports it (the PVC here is a placeholder then). */
function backupDestination(name: string, raw: NonNullable<RawSpec['backup']>): Backup['destination'] {
  const s3 = raw.s3;
  if (s3 !== undefined && raw.pvc === undefined) {
    return { kind: 's3', endpoint: s3.endpoint.replace(/\/+$/, ''), bucket: s3.bucket, prefix: (s3.prefix ?? name).replace(/^\/+|\/+$/g, ''), region: s3.region ?? 'us-east-1', secret: s3.secret, clientImage: s3.clientImage ?? DEFAULT_S3_CLIENT_IMAGE };
  }
  return { kind: 'pvc', size: raw.pvc?.size ?? '0', class: raw.pvc?.class };
}

export class SpecError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.problems = problems;
  }
}

// Compiled on first use, so commands that never read a spec do not pay for it.
let compiled: ValidateFunction<RawSpec> | undefined;
function validator(): ValidateFunction<RawSpec> {
  compiled ??= new Ajv({ allErrors: true, strict: true, verbose: true }).compile<RawSpec>(schema);
  return compiled;
}

export function parseSpec(text: string, source: string): ClusterSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const at = (node: Node | undefined | null): string => {
    const pos = lineCounter.linePos(node?.range?.[0] ?? 0);
    return `${source}:${pos.line}:${pos.col}`;
  };
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const pos = syntax.linePos?.[0];
    throw new SpecError([`${source}:${pos?.line ?? 1}:${pos?.col ?? 1}: YAML syntax error: ${(syntax.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`]);
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  const validate = validator();
  if (!validate(value)) {
    const problems = (validate.errors ?? []).filter(relevant).map((e) => describe(e, doc, at));
    throw new SpecError([...new Set(problems)]);
  }
  const spec = resolve(value, source);
  const problems = semanticProblems(spec, doc, at);
  if (problems.length > 0) throw new SpecError(problems);
  return spec;
}

/** ajv reports both the failing `$ref` target and its parents; keep the informative ones. */
function relevant(error: ErrorObject): boolean {
  return error.keyword !== 'if' && error.keyword !== 'propertyNames';
}

function segments(instancePath: string): string[] {
  return instancePath === '' ? [] : instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const fieldOf = (parts: readonly string[]): string => (parts.length === 0 ? '(top level)' : parts.join('.'));

function nodeAt(doc: Document, parts: readonly string[]): Node | undefined {
  const node = doc.getIn(parts, true);
  return isMap(node) || isSeq(node) || isScalar(node) ? node : undefined;
}

function keyNode(doc: Document, parts: readonly string[], key: string): Node | undefined {
  const parent = nodeAt(doc, parts);
  if (!isMap(parent)) return parent;
  const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
  return pair !== undefined && isScalar(pair.key) ? pair.key : parent;
}

function suggestion(word: string, options: readonly string[]): string {
  if (options.length === 0) return '';
  const best = closest(word, [...options]);
  return distance(word, best) <= Math.max(2, Math.floor(word.length / 3)) ? `; did you mean "${best}"?` : `; known fields: ${options.join(', ')}`;
}

function describe(error: ErrorObject, doc: Document, at: (node: Node | undefined) => string): string {
  const parts = segments(error.instancePath);
  const field = fieldOf(parts);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const schemaAt = (error.parentSchema ?? {}) as { properties?: Record<string, unknown> };
      return `${at(keyNode(doc, parts, key))}: ${fieldOf([...parts, key])}: unknown field${suggestion(key, Object.keys(schemaAt.properties ?? {}))}`;
    }
    case 'required':
      return `${at(nodeAt(doc, parts))}: ${fieldOf([...parts, String(params.missingProperty)])}: required field is missing`;
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const given = String(doc.getIn(parts));
      const near = closest(given, allowed);
      const hint = distance(given, near) <= 2 ? `; did you mean "${near}"?` : '';
      return `${at(nodeAt(doc, parts))}: ${field}: ${JSON.stringify(doc.getIn(parts))} is not one of ${allowed.join(', ')}${hint}`;
    }
    case 'pattern':
      return `${at(nodeAt(doc, parts))}: ${field}: ${JSON.stringify(doc.getIn(parts))} is not valid here (${patternMeaning(String(params.pattern))})`;
    default:
      return `${at(nodeAt(doc, parts))}: ${field}: ${error.message ?? 'is not valid'}`;
  }
}

function patternMeaning(pattern: string): string {
  if (pattern.includes('Ki|Mi')) return 'a Kubernetes quantity such as 500m, 2Gi or 100Gi';
  if (pattern.includes('@(hourly')) return 'a cron schedule of five fields such as "30 2 * * *", or @daily';
  if (pattern.startsWith('^https?://')) return 'an http:// or https:// URL such as https://s3.eu-west-1.amazonaws.com';
  if (pattern.includes('{1,61}')) return 'an S3 bucket name: 3 to 63 lowercase letters, digits, "." and "-"';
  if (pattern.includes("!_.*'()")) return 'an S3 key prefix: letters, digits and !_.*\'()/-';
  return 'lowercase letters, digits and "-", starting and ending with a letter or digit';
}

function resolve(raw: RawSpec, source: string): ClusterSpec {
  const environments: Environment[] = Object.entries(raw.environments).map(([name, env]) => {
    const size = SIZES[env.size];
    return {
      name,
      size: env.size,
      members: env.replicas ?? size.members,
      cpu: env.cpu ?? size.cpu,
      memory: env.memory ?? size.memory,
      storage: { size: env.storage?.size ?? size.storage, class: env.storage?.class },
      spread: env.spread ?? size.spread,
      namespace: env.namespace ?? `${raw.namespace}-${name}`,
      server: env.server ?? 'https://kubernetes.default.svc',
      // Production sizes encrypt by default; Percona XtraDB Cluster 8 always does.
      tls: raw.flavor === 'percona-xtradb-cluster' ? true : (env.tls ?? !['dev', 'small'].includes(env.size)),
      backup: raw.backup !== undefined && (env.backup ?? true),
      recovery: { recoverWithout: env.recovery?.recoverWithout ?? [], discardDataOf: env.recovery?.discardDataOf ?? [] },
    };
  });
  const g = raw.gitops;
  return {
    source,
    name: raw.name,
    namespace: raw.namespace,
    flavor: raw.flavor,
    image: raw.image,
    secrets: { root: raw.secrets.root, monitor: raw.secrets.monitor ?? `${raw.name}-monitor` },
    app: raw.app,
    metrics: { enabled: raw.metrics?.enabled ?? true, image: raw.metrics?.image ?? DEFAULT_EXPORTER_IMAGE, prometheusOperator: raw.metrics?.prometheusOperator ?? false },
    networkPolicy: {
      enabled: raw.networkPolicy?.enabled ?? true,
      clientNamespaces: raw.networkPolicy?.clientNamespaces,
      monitoringNamespace: raw.networkPolicy?.monitoringNamespace ?? 'monitoring',
    },
    backup:
      raw.backup === undefined
        ? undefined
        : {
            schedule: raw.backup.schedule,
            retention: raw.backup.retention ?? 7,
            verify: raw.backup.verify ?? 'restore',
            maxAgeHours: raw.backup.maxAgeHours ?? 26,
            destination: backupDestination(raw.name, raw.backup),
          },
    tls: raw.tls?.secret !== undefined
      ? { kind: 'secret', secret: raw.tls.secret }
      : raw.tls?.issuer !== undefined
        ? { kind: 'issuer', name: raw.tls.issuer.name, issuerKind: raw.tls.issuer.kind ?? 'Issuer' }
        : { kind: 'self-signed' },
    environments,
    mysqld: Object.entries(raw.mysqld ?? {}).map(([k, v]) => [k, String(v)]),
    gitops:
      g === undefined
        ? undefined
        : {
            targets: [...g.targets].sort(),
            repoURL: g.repoURL,
            revision: g.revision ?? 'main',
            path: (g.path ?? `overlays/${raw.name}`).replace(/\/+$/, ''),
            argocd: { namespace: g.argocd?.namespace ?? 'argocd', project: g.argocd?.project ?? 'default' },
            flux: { namespace: g.flux?.namespace ?? 'flux-system' },
          },
  };
}

/**
 * [mysqld] settings the spec may not change: what Galera requires of every member, and
 * what start.sh writes per member (docs/generator.md).
 */
const OWNED_SETTINGS: Readonly<Record<string, string>> = {
  binlog_format: 'Galera replicates row events only (ROW)',
  default_storage_engine: 'Galera replicates InnoDB tables only',
  innodb_autoinc_lock_mode: 'Galera needs interleaved auto-increment locks (2)',
  wsrep_on: 'the generated cluster is a Galera cluster',
  wsrep_provider: 'the flavor decides the Galera library',
  wsrep_cluster_name: 'the cluster name is the spec name',
  wsrep_cluster_address: 'start.sh lists the peers through the governing Service',
  wsrep_node_name: 'start.sh names each member after its pod',
  wsrep_node_address: 'start.sh gives each member its pod\'s address',
  wsrep_sst_auth: 'start.sh reads the state-transfer password from its Secret',
  datadir: 'the data directory is the member\'s volume',
  bind_address: 'members must listen on their pod address',
};

const canonical = (key: string): string => key.replace(/-/g, '_');

/** The image's problem, if any: a pinned version, of the flavor's server. */
function imageProblem(spec: ClusterSpec): string | undefined {
  const [repository = '', tag] = spec.image.split('@')[0]?.split(/:(?=[^/:]+$)/) ?? [];
  const pinned = spec.image.includes('@sha256:') || (tag !== undefined && tag !== 'latest');
  if (!pinned) return `${JSON.stringify(spec.image)} is not pinned: name a version (for example ${repository}:11.4.4) or a digest, so that every member and every environment runs the same server and an upgrade is a commit`;
  const percona = /percona-xtradb-cluster|(^|[^a-z0-9])pxc([^a-z0-9]|$)/i.test(repository);
  if (spec.flavor === 'percona-xtradb-cluster' && !percona) return `${JSON.stringify(spec.image)} is not a Percona XtraDB Cluster image, but flavor is percona-xtradb-cluster: use percona/percona-xtradb-cluster:<version>, or flavor mariadb`;
  if (spec.flavor === 'mariadb' && (percona || /(^|[^a-z0-9])(mysql|percona)([^a-z0-9]|$)/i.test(repository))) return `${JSON.stringify(spec.image)} is not a MariaDB image, but flavor is mariadb: use mariadb:<version>, or flavor percona-xtradb-cluster`;
  return undefined;
}

function semanticProblems(spec: ClusterSpec, doc: Document, at: (node: Node | undefined) => string): string[] {
  const problems: string[] = [];
  if (spec.flavor === 'percona-xtradb-cluster') {
    for (const env of spec.environments) {
      const raw = doc.getIn(['environments', env.name, 'tls']);
      if (raw === false) problems.push(`${at(nodeAt(doc, ['environments', env.name, 'tls']))}: environments.${env.name}.tls: Percona XtraDB Cluster 8 encrypts cluster traffic (pxc-encrypt-cluster-traffic) and needs the same certificates on every member: tls cannot be off`);
    }
  }
  if (spec.backup !== undefined && spec.flavor === 'percona-xtradb-cluster') {
    problems.push(`${at(nodeAt(doc, ['backup']))}: backup: not available for percona-xtradb-cluster yet (its backups need xtrabackup, which galera-gitops has never run): take backups with Percona's tools, or remove the block`);
  }
  if (doc.getIn(['backup']) !== undefined && (doc.getIn(['backup', 'pvc']) === undefined) === (doc.getIn(['backup', 's3']) === undefined)) {
    problems.push(`${at(nodeAt(doc, ['backup']))}: backup: name exactly one destination: pvc (a volume per environment) or s3 (a bucket)`);
  }
  if (doc.getIn(['tls', 'secret']) !== undefined && doc.getIn(['tls', 'issuer']) !== undefined) problems.push(`${at(nodeAt(doc, ['tls']))}: tls: give either secret or issuer, not both`);
  const image = imageProblem(spec);
  if (image !== undefined) problems.push(`${at(nodeAt(doc, ['image']))}: image: ${image}`);
  for (const [key] of spec.mysqld) {
    const why = OWNED_SETTINGS[canonical(key)];
    if (why !== undefined) problems.push(`${at(keyNode(doc, ['mysqld'], key))}: mysqld.${key}: cannot be set here: ${why}`);
  }
  const seen = new Map<string, string>();
  for (const env of spec.environments) {
    const path = ['environments', env.name];
    // The same words as the odd-replicas rule, so the generator and `check` agree.
    for (const finding of memberCountFindings(env.members, `environments.${env.name}.replicas`)) {
      if (finding.severity === 'warn') continue;
      const node = nodeAt(doc, [...path, 'replicas']) ?? nodeAt(doc, path);
      problems.push(`${at(node)}: ${finding.message}`);
    }
    for (const key of ['recoverWithout', 'discardDataOf'] as const) {
      env.recovery[key].forEach((member, i) => {
        if (!/^\d+$/.test(member.slice(spec.name.length + 1)) || !member.startsWith(`${spec.name}-`)) {
          problems.push(`${at(nodeAt(doc, [...path, 'recovery', key, String(i)]))}: environments.${env.name}.recovery.${key}: ${JSON.stringify(member)} is not a member of ${spec.name} (${spec.name}-0, ${spec.name}-1, ...)`);
        }
      });
    }
    const where = `${env.server} ${env.namespace}`;
    const other = seen.get(where);
    if (other !== undefined) {
      problems.push(`${at(nodeAt(doc, [...path, 'namespace']) ?? nodeAt(doc, path))}: environments.${env.name}.namespace: environments ${other} and ${env.name} would both deploy ${spec.name} into namespace ${env.namespace} on ${env.server}: give one of them its own namespace`);
    }
    seen.set(where, env.name);
  }
  return problems;
}
