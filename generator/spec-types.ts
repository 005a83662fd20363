/** The cluster spec after validation, with every default resolved. */
import type { SizeName, Spread } from './sizes.ts';

export type Flavor = 'mariadb' | 'percona-xtradb-cluster';
export type GitOpsTarget = 'argocd' | 'flux';

export interface Environment {
  name: string;
  size: SizeName;
  members: number;
  cpu: string;
  memory: string;
  storage: { size: string; class: string | undefined };
  spread: Spread;
  namespace: string;
  server: string;
  /** Client, replication and state-transfer encryption in this environment. */
  tls: boolean;
  /** The spec's backups run in this environment. */
  backup: boolean;
  recovery: Recovery;
}

/** Scheduled physical backups (docs/backups.md). */
export interface Backup {
  schedule: string;
  /** The newest this many backups are kept. */
  retention: number;
  /** restore: each backup is unpacked and prepared as a restore would; checksum: only read back. */
  verify: 'restore' | 'checksum';
  /** An alert fires when the last successful backup is older than this many hours. */
  maxAgeHours: number;
  destination: PvcDestination | S3Destination;
}

/** A PersistentVolumeClaim per environment, `<name>-backups`. */
export interface PvcDestination {
  kind: 'pvc';
  size: string;
  class: string | undefined;
}

/**
 * An S3-compatible bucket: the environment's backups under `<prefix>/<env>/`, with the
 * keys from `secret` (access-key-id, secret-access-key), uploaded by the rclone binary of
 * `clientImage` (docs/backups.md).
 */
export interface S3Destination {
  kind: 's3';
  endpoint: string;
  bucket: string;
  prefix: string;
  region: string;
  secret: string;
  clientImage: string;
}

/** Where the certificates come from (docs/generator.md, Encryption). */
export type TlsSource = { kind: 'secret'; secret: string } | { kind: 'issuer'; name: string; issuerKind: 'Issuer' | 'ClusterIssuer' } | { kind: 'self-signed' };

/** Operator overrides the election and the history check read (docs/recovery.md). */
export interface Recovery {
  recoverWithout: string[];
  discardDataOf: string[];
}

export interface GitOps {
  targets: GitOpsTarget[];
  repoURL: string;
  revision: string;
  path: string;
  argocd: { namespace: string; project: string };
  flux: { namespace: string };
}

export interface ClusterSpec {
  /** The spec file, as given on the command line (named in every generated header). */
  source: string;
  name: string;
  namespace: string;
  flavor: Flavor;
  image: string;
  secrets: { root: string; monitor: string };
  app: { database: string; user: string; secret: string } | undefined;
  tls: TlsSource;
  /** The metrics exporter beside each member, and the Prometheus Operator objects. */
  metrics: { enabled: boolean; image: string; prometheusOperator: boolean };
  /** Who may connect: clients' namespaces (undefined: every namespace), the monitoring namespace. */
  networkPolicy: { enabled: boolean; clientNamespaces: string[] | undefined; monitoringNamespace: string };
  backup: Backup | undefined;
  environments: Environment[];
  /** Extra [mysqld] settings, in the order given. */
  mysqld: [string, string][];
  gitops: GitOps | undefined;
}

/** The spec as the schema describes it, before defaults. */
export interface RawSpec {
  name: string;
  namespace: string;
  flavor: Flavor;
  image: string;
  secrets: { root: string; monitor?: string };
  app?: { database: string; user: string; secret: string };
  tls?: { secret?: string; issuer?: { name: string; kind?: 'Issuer' | 'ClusterIssuer' } };
  metrics?: { enabled?: boolean; image?: string; prometheusOperator?: boolean };
  networkPolicy?: { enabled?: boolean; clientNamespaces?: string[]; monitoringNamespace?: string };
  backup?: {
    schedule: string;
    retention?: number;
    verify?: 'restore' | 'checksum';
    maxAgeHours?: number;
    pvc?: { size: string; class?: string };
    s3?: { endpoint: string; bucket: string; prefix?: string; region?: string; secret: string; clientImage?: string };
  };
  environments: Record<string, RawEnvironment>;
  mysqld?: Record<string, string | number>;
  gitops?: {
    targets: GitOpsTarget[];
    repoURL: string;
    revision?: string;
    path?: string;
    argocd?: { namespace?: string; project?: string };
    flux?: { namespace?: string };
  };
}

export interface RawEnvironment {
  size: SizeName;
  replicas?: number;
  cpu?: string;
  memory?: string;
  storage?: { size?: string; class?: string };
  spread?: Spread;
  namespace?: string;
  server?: string;
  tls?: boolean;
  backup?: boolean;
  recovery?: Partial<Recovery>;
}
