/**
 * base/: what every environment shares. The size (members, resources, storage) comes
 * from the environment overlays; the defaults here are those of the `small` size.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SIZES } from '../sizes.ts';
import type { ClusterSpec } from '../spec-types.ts';
import { exporterContainer, serverContainer } from './containers.ts';
import { FLAVORS } from './flavor.ts';
import { DATA_CLAIM, PORTS, clusterConfigMap, configMap, labels, peersService, selector } from './names.ts';
import { metricsService } from './monitoring.ts';
import { networkPolicy } from './network-policy.ts';
import { packageRoot } from './package-root.ts';
import { yamlDocs } from './yaml.ts';

/**
 * Long enough for a clean shutdown of a busy member (leave the group, flush the InnoDB
 * buffer pool, write grastate.dat), as Percona's operator does. It is an upper bound, not
 * a delay: an idle member stops in seconds. A member killed mid-write leaves seqno -1 and
 * needs a recovery; 600 s makes that the exception.
 */
export const GRACE_SECONDS = 600;

/** The scripts that ship in the ConfigMap; start.sh copies them (and galera.cnf) to the runtime dir. */
const SCRIPTS = ['lib.sh', 'datadir.sh', 'start.sh', 'probe.sh'];

/** A script of generator/scripts, as shipped in a ConfigMap. */
export function script(name: string): string {
  return readFileSync(join(packageRoot(), 'generator', 'scripts', name), 'utf8');
}

/**
 * On every object of an environment: neither Argo CD nor Flux ever deletes it, even when it
 * leaves git. Removing an environment from the spec must not leave a StatefulSet without
 * its ConfigMaps and Services (its next restart would fail), nor delete data; the team
 * deletes a retired environment on purpose.
 */
export const pruneNever: Readonly<Record<string, string>> = {
  'argocd.argoproj.io/sync-options': 'Prune=false',
  'kustomize.toolkit.fluxcd.io/prune': 'disabled',
};

function meta(spec: ClusterSpec, name: string, annotations: Record<string, string> = {}): Record<string, unknown> {
  return { name, labels: labels(spec), annotations: { ...annotations, ...pruneNever } };
}

export function galeraCnf(spec: ClusterSpec): string {
  const flavor = FLAVORS[spec.flavor];
  return [
    '# Galera settings shared by every member. start.sh includes this, then the environment\'s',
    '# settings.cnf (size, provider options, the spec\'s own settings), then what only it knows:',
    '# the peers (through the governing Service) and the member identity.',
    '[mysqld]',
    'binlog_format=ROW',
    'default_storage_engine=InnoDB',
    'innodb_autoinc_lock_mode=2',
    'bind-address=0.0.0.0',
    'wsrep_on=ON',
    `wsrep_provider=${flavor.provider}`,
    `wsrep_cluster_name=${spec.name}`,
    `wsrep_sst_method=${flavor.sstMethod}`,
    ...flavor.settings,
    '',
  ].join('\n');
}

/** The ConfigMap's files. */
export function configFiles(spec: ClusterSpec): Record<string, string> {
  return { 'galera.cnf': galeraCnf(spec), ...Object.fromEntries(SCRIPTS.map((name) => [name, script(name)])) };
}

/** A hash of the ConfigMap on the pod template: a change of settings or scripts rolls the members one at a time. */
export function configHash(spec: ClusterSpec): string {
  const hash = createHash('sha256');
  for (const [name, text] of Object.entries(configFiles(spec)).sort()) hash.update(`${name}\0${text}\0`);
  return hash.digest('hex').slice(0, 16);
}

export function statefulSet(spec: ClusterSpec): Record<string, unknown> {
  const small = SIZES.small;
  const flavor = FLAVORS[spec.flavor];
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: meta(spec, spec.name),
    spec: {
      replicas: small.members,
      serviceName: peersService(spec),
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate' },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      selector: { matchLabels: selector(spec) },
      template: {
        metadata: { labels: labels(spec), annotations: { 'galera-gitops.io/config-hash': configHash(spec) } },
        spec: {
          serviceAccountName: spec.name,
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: GRACE_SECONDS,
          // OnRootMismatch: the kubelet re-owns the data volume only when its top folder is not
          // already the server's, instead of walking every file of a large volume at each start.
          securityContext: { runAsNonRoot: true, runAsUser: flavor.uid, runAsGroup: flavor.uid, fsGroup: flavor.uid, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' } },
          containers: [serverContainer(spec), ...(spec.metrics.enabled ? [exporterContainer(spec)] : [])],
          volumes: [
            { name: 'config', configMap: { name: configMap(spec), defaultMode: 0o555 } },
            { name: 'cluster', configMap: { name: clusterConfigMap(spec) } },
            { name: 'runtime', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
          ],
        },
      },
      volumeClaimTemplates: [dataClaim(small.storage, undefined)],
    },
  };
}

/**
 * The data claim template, with the fields the apiserver would otherwise add (apiVersion,
 * kind, volumeMode, status): Argo CD compares the template list item by item and would show
 * the StatefulSet OutOfSync forever (argo-cd #11143, #16707).
 */
export function dataClaim(size: string, storageClass: string | undefined): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: DATA_CLAIM },
    spec: {
      accessModes: ['ReadWriteOnce'],
      ...(storageClass === undefined ? {} : { storageClassName: storageClass }),
      resources: { requests: { storage: size } },
      volumeMode: 'Filesystem',
    },
    status: { phase: 'Pending' },
  };
}

export function renderBase(spec: ClusterSpec): Map<string, string> {
  const files = new Map<string, string>();
  const doc = (name: string, docs: unknown[]): void => {
    files.set(`base/${name}`, yamlDocs(spec.source, docs));
  };
  doc('kustomization.yaml', [
    {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: [
        'serviceaccount.yaml', 'configmap.yaml', 'service-peers.yaml', 'service.yaml',
        ...(spec.metrics.enabled ? ['service-metrics.yaml'] : []),
        ...(spec.networkPolicy.enabled ? ['networkpolicy.yaml'] : []),
        'poddisruptionbudget.yaml', 'statefulset.yaml',
      ],
    },
  ]);
  doc('serviceaccount.yaml', [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(spec, spec.name), automountServiceAccountToken: false }]);
  doc('configmap.yaml', [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(spec, configMap(spec)),
      data: configFiles(spec),
    },
  ]);
  doc('service-peers.yaml', [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(spec, peersService(spec), { 'galera-gitops.io/role': 'governing Service: members find each other here before they are Ready' }),
      spec: {
        clusterIP: 'None',
        publishNotReadyAddresses: true,
        selector: selector(spec),
        ports: PORTS.map((p) => ({ name: p.name, port: p.port, targetPort: p.port })),
      },
    },
  ]);
  doc('service.yaml', [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(spec, spec.name, { 'galera-gitops.io/role': 'client Service: only Ready (Synced) members receive connections' }),
      spec: { selector: selector(spec), ports: [{ name: 'mysql', port: 3306, targetPort: 3306 }] },
    },
  ]);
  doc('poddisruptionbudget.yaml', [
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta(spec, spec.name), spec: { maxUnavailable: 1, selector: { matchLabels: selector(spec) } } },
  ]);
  if (spec.metrics.enabled) doc('service-metrics.yaml', [metricsService(spec, pruneNever)]);
  if (spec.networkPolicy.enabled) doc('networkpolicy.yaml', [networkPolicy(spec, pruneNever)]);
  doc('statefulset.yaml', [statefulSet(spec)]);
  return files;
}
