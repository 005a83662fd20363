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
  recovery: Recovery;
}

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
  secrets: { root: string; sst: string };
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
  secrets: { root: string; sst: string };
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
  recovery?: Partial<Recovery>;
}
