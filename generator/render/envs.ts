/**
 * envs/<env>/: a short overlay per environment that selects the base, the components and
 * the size; nothing is copied. Each environment also gets local/, a Component the team
 * owns: the generator creates it once and never touches it again.
 */
import type { ClusterSpec, Environment } from '../spec-types.ts';
import { dataClaim } from './base.ts';
import { CONTAINER, clusterConfigMap, labels } from './names.ts';
import { yamlDocs } from './yaml.ts';

export function renderEnvironment(spec: ClusterSpec, env: Environment): Map<string, string> {
  const dir = `envs/${env.name}`;
  const components = [...(env.spread === 'none' ? [] : [`../../components/spread-${env.spread}`]), 'local'];
  return new Map([
    [
      `${dir}/kustomization.yaml`,
      yamlDocs(spec.source, [
        {
          apiVersion: 'kustomize.config.k8s.io/v1beta1',
          kind: 'Kustomization',
          namespace: env.namespace,
          resources: ['namespace.yaml', '../../base'],
          components,
          replicas: [{ name: spec.name, count: env.members }],
          configMapGenerator: [
            {
              name: clusterConfigMap(spec),
              literals: clusterSettings(env),
              // No hash suffix, so no restart: start.sh reads these files at every step
              // (an override synced from git reaches a member waiting in an election), and
              // members learn their peers from Galera and the governing Service's DNS.
              options: { disableNameSuffixHash: true },
            },
          ],
          patches: [{ path: 'size.yaml' }],
        },
      ]),
    ],
    [
      `${dir}/namespace.yaml`,
      // The environment brings its Namespace, so a plain `kubectl apply -k` works. Neither
      // Argo CD nor Flux ever prunes it: deleting a Namespace deletes the members' volumes.
      yamlDocs(spec.source, [
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: env.namespace, labels: labels(spec), annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false', 'kustomize.toolkit.fluxcd.io/prune': 'disabled' } },
        },
      ]),
    ],
    [
      `${dir}/size.yaml`,
      yamlDocs(spec.source, [
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: { name: spec.name },
          spec: {
            template: {
              spec: {
                containers: [{ name: CONTAINER, resources: { requests: { cpu: env.cpu, memory: env.memory }, limits: { memory: env.memory } } }],
              },
            },
            volumeClaimTemplates: [dataClaim(env.storage.size, env.storage.class)],
          },
        },
      ]),
    ],
  ]);
}

/**
 * The environment's ConfigMap, mounted at /etc/galera-gitops-cluster: the size the
 * environment was generated for (a full-cluster recovery waits for at least that many
 * members) and the operator's recovery overrides (docs/recovery.md).
 */
function clusterSettings(env: Environment): string[] {
  return [
    `members=${String(env.members)}`,
    `recover-without=${env.recovery.recoverWithout.join(',')}`,
    `discard-data-of=${env.recovery.discardDataOf.join(',')}`,
  ];
}

/** Written only when missing: from then on the file belongs to the team. */
export function localScaffold(env: Environment): [string, string] {
  return [
    `envs/${env.name}/local/kustomization.yaml`,
    [
      `# Your own resources and patches for ${env.name}. galera-gitops created this file once and`,
      '# never changes it; the generated overlay includes it as a Component, and',
      '# `galera-gitops check` judges the combined result. For example:',
      '#',
      '# resources:',
      '#   - networkpolicy.yaml',
      '# patches:',
      '#   - patch: |-',
      '#       - op: add',
      '#         path: /spec/template/spec/nodeSelector',
      '#         value: {disktype: ssd}',
      '#     target: {kind: StatefulSet}',
      'apiVersion: kustomize.config.k8s.io/v1alpha1',
      'kind: Component',
      '# kustomize refuses an empty Component; these empty lists keep it valid until you add to them.',
      'resources: []',
      'patches: []',
      '',
    ].join('\n'),
  ];
}
