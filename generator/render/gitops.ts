/**
 * argocd/ and flux/: the objects that sync each environment's overlay from git.
 *
 * Argo CD: one Application per environment. Automated sync with self-heal, and a retry
 * policy, because an automated sync does not retry the same commit otherwise (a webhook
 * denial or a missing CRD would leave the environment out of sync until the next commit).
 * Flux: one GitRepository and one Kustomization per environment, with a health check on the
 * StatefulSet; its timeout covers a rolling restart in which a member may need a state
 * transfer.
 */
import type { ClusterSpec, Environment, GitOps } from '../spec-types.ts';
import { labels } from './names.ts';
import { yamlDocs } from './yaml.ts';

const app = (spec: ClusterSpec, env: Environment): string => `${spec.name}-${env.name}`;

function application(spec: ClusterSpec, gitops: GitOps, env: Environment): unknown {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: app(spec, env), namespace: gitops.argocd.namespace, labels: labels(spec) },
    spec: {
      project: gitops.argocd.project,
      source: { repoURL: gitops.repoURL, targetRevision: gitops.revision, path: `${gitops.path}/envs/${env.name}` },
      destination: { server: env.server, namespace: env.namespace },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'],
        retry: { limit: 5, backoff: { duration: '30s', factor: 2, maxDuration: '10m' } },
      },
    },
  };
}

function fluxKustomization(spec: ClusterSpec, gitops: GitOps, env: Environment): unknown {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: app(spec, env), namespace: gitops.flux.namespace, labels: labels(spec) },
    spec: {
      interval: '10m',
      retryInterval: '2m',
      timeout: '30m',
      sourceRef: { kind: 'GitRepository', name: spec.name },
      path: `./${gitops.path}/envs/${env.name}`,
      prune: true,
      healthChecks: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: spec.name, namespace: env.namespace }],
    },
  };
}

export function renderGitOps(spec: ClusterSpec): Map<string, string> {
  const files = new Map<string, string>();
  const gitops = spec.gitops;
  if (gitops === undefined) return files;
  const kustomization = (resources: string[]): string => yamlDocs(spec.source, [{ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources }]);
  if (gitops.targets.includes('argocd')) {
    files.set('argocd/kustomization.yaml', kustomization(['applications.yaml']));
    files.set('argocd/applications.yaml', yamlDocs(spec.source, spec.environments.map((env) => application(spec, gitops, env))));
  }
  if (gitops.targets.includes('flux')) {
    files.set('flux/kustomization.yaml', kustomization(['gitrepository.yaml', 'kustomizations.yaml']));
    files.set(
      'flux/gitrepository.yaml',
      yamlDocs(spec.source, [
        {
          apiVersion: 'source.toolkit.fluxcd.io/v1',
          kind: 'GitRepository',
          metadata: { name: spec.name, namespace: gitops.flux.namespace, labels: labels(spec) },
          spec: { interval: '1m', url: gitops.repoURL, ref: { branch: gitops.revision } },
        },
      ]),
    );
    files.set('flux/kustomizations.yaml', yamlDocs(spec.source, spec.environments.map((env) => fluxKustomization(spec, gitops, env))));
  }
  return files;
}
