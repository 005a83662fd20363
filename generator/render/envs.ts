/**
 * envs/<env>/: a short overlay per environment that selects the base, the components and
 * the size; nothing is copied. Each environment also gets local/, a Component the team
 * owns: the generator creates it once and never touches it again.
 */
import type { ClusterSpec, Environment } from '../spec-types.ts';
import { dataClaim } from './base.ts';
import { CONTAINER, clusterAddress, clusterConfigMap } from './names.ts';
import { header, yamlDocs } from './yaml.ts';

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
          resources: ['../../base'],
          components,
          replicas: [{ name: spec.name, count: env.members }],
          configMapGenerator: [
            {
              name: clusterConfigMap(spec),
              files: ['cluster.cnf'],
              // No hash suffix: a new member list must not restart every member at once;
              // members read it when they (re)start, running members learn peers from Galera.
              options: { disableNameSuffixHash: true },
            },
          ],
          patches: [{ path: 'size.yaml' }],
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
    [
      `${dir}/cluster.cnf`,
      `${header(spec.source)}# The ${env.members} member${env.members === 1 ? '' : 's'} of ${spec.name} in ${env.name} (size ${env.size}), through the governing Service.\n[mysqld]\nwsrep_cluster_address=${clusterAddress(spec, env)}\n`,
    ],
  ]);
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
