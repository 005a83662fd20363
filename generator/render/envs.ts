/**
 * envs/<env>/: a short overlay per environment that selects the base, the components and
 * the size; nothing is copied. Each environment also gets local/, a Component the team
 * owns: the generator creates it once and never touches it again. The size is a Component
 * too (envs/<env>/size/), listed before local/, so that a team's own patch of replicas or
 * resources in local/ wins over the generated one rather than silently losing to it.
 */
import { createHash } from 'node:crypto';
import type { ClusterSpec, Environment } from '../spec-types.ts';
import { backupDocs } from './backup.ts';
import { dataClaim, pruneNever } from './base.ts';
import { CONTAINER, clusterConfigMap, labels } from './names.ts';
import { monitoringDocs } from './monitoring.ts';
import { settingsCnf } from './settings.ts';
import { certificateDocs, tlsVolume } from './tls.ts';
import { header, yamlDocs } from './yaml.ts';

/** The environment's ConfigMap keys that start.sh reads (docs/recovery.md). */
function clusterSettings(env: Environment): string[] {
  return [
    `members=${String(env.members)}`,
    `recover-without=${env.recovery.recoverWithout.join(',')}`,
    `discard-data-of=${env.recovery.discardDataOf.join(',')}`,
  ];
}

export function renderEnvironment(spec: ClusterSpec, env: Environment): Map<string, string> {
  const dir = `envs/${env.name}`;
  const components = [...(env.spread === 'none' ? [] : [`../../components/spread-${env.spread}`]), 'size', 'local'];
  const settings = settingsCnf(spec, env);
  const certificates = certificateDocs(spec, env, pruneNever);
  const tls = tlsVolume(spec, env);
  const monitoring = monitoringDocs(spec, env, pruneNever);
  const backups = backupDocs(spec, env, pruneNever);
  const files = new Map([
    [
      `${dir}/kustomization.yaml`,
      yamlDocs(spec.source, [
        {
          apiVersion: 'kustomize.config.k8s.io/v1beta1',
          kind: 'Kustomization',
          namespace: env.namespace,
          resources: ['namespace.yaml', '../../base', ...(certificates.length === 0 ? [] : ['certificates.yaml']), ...(monitoring.length === 0 ? [] : ['monitoring.yaml']), ...(backups.length === 0 ? [] : ['backup.yaml'])],
          components,
          configMapGenerator: [
            {
              name: clusterConfigMap(spec),
              literals: clusterSettings(env),
              files: ['settings.cnf'],
              // No hash suffix: start.sh reads the recovery keys at every step of a wait (an
              // override synced from git reaches a waiting member without a restart); a
              // change of settings.cnf rolls the members through the hash on the template.
              options: { disableNameSuffixHash: true, annotations: pruneNever },
            },
          ],
        },
      ]),
    ],
    [
      `${dir}/namespace.yaml`,
      // The environment brings its Namespace, so a plain `kubectl apply -k` works. Neither
      // Argo CD nor Flux ever prunes it: deleting a Namespace deletes the members' volumes.
      yamlDocs(spec.source, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: env.namespace, labels: labels(spec), annotations: pruneNever } }]),
    ],
    [`${dir}/settings.cnf`, `${header(spec.source)}${settings}`],
    [
      `${dir}/size/kustomization.yaml`,
      yamlDocs(spec.source, [{ apiVersion: 'kustomize.config.k8s.io/v1alpha1', kind: 'Component', patches: [{ path: 'statefulset.yaml' }] }]),
    ],
    [
      `${dir}/size/statefulset.yaml`,
      yamlDocs(spec.source, [
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: { name: spec.name },
          spec: {
            replicas: env.members,
            template: {
              metadata: { annotations: { 'galera-gitops.io/settings-hash': createHash('sha256').update(settings).digest('hex').slice(0, 16) } },
              spec: {
                containers: [{ name: CONTAINER, resources: { requests: { cpu: env.cpu, memory: env.memory }, limits: { memory: env.memory } }, ...(tls.mounts.length === 0 ? {} : { volumeMounts: tls.mounts }) }],
                ...(tls.volumes.length === 0 ? {} : { volumes: tls.volumes }),
              },
            },
            volumeClaimTemplates: [dataClaim(env.storage.size, env.storage.class)],
          },
        },
      ]),
    ],
  ]);
  if (certificates.length > 0) files.set(`${dir}/certificates.yaml`, yamlDocs(spec.source, certificates));
  if (monitoring.length > 0) files.set(`${dir}/monitoring.yaml`, yamlDocs(spec.source, monitoring));
  if (backups.length > 0) files.set(`${dir}/backup.yaml`, yamlDocs(spec.source, backups));
  return files;
}

/** Written only when missing: from then on the file belongs to the team. */
export function localScaffold(env: Environment): [string, string] {
  return [
    `envs/${env.name}/local/kustomization.yaml`,
    [
      `# Your own resources and patches for ${env.name}. galera-gitops created this file once and`,
      '# never changes it; the generated overlay includes it as a Component, last, so a patch',
      '# here wins over the generated size (replicas, resources). `galera-gitops check` judges',
      '# the combined result. For example:',
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
