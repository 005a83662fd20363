/**
 * The restore Job of an environment (`galera-gitops restore-job`, docs/backups.md): member
 * 0's data claim, made ahead of the StatefulSet with the claim template's exact spec (the
 * StatefulSet adopts a claim of that name), filled from a named backup by restore.sh in a
 * Job on the backup volume's node. Printed for one use, never written into the overlays: a
 * restore is an operation, not a state to keep in sync.
 */
import type { ClusterSpec, Environment } from '../spec-types.ts';
import { backupClaim } from './backup.ts';
import { dataClaim, script } from './base.ts';
import { storeParts } from './backup-store.ts';
import { FLAVORS } from './flavor.ts';
import { DATA_CLAIM, DATA_DIR } from './names.ts';

export function restoreDocs(spec: ClusterSpec, env: Environment, backup: string): unknown[] {
  if (spec.backup === undefined) throw new Error('restoreDocs: the spec has no backup block');
  const store = storeParts(spec.backup.destination, env, backupClaim(spec), 'restore');
  const name = `${spec.name}-restore`;
  const uid = FLAVORS[spec.flavor].uid;
  const meta = (n: string): Record<string, unknown> => ({
    name: n,
    namespace: env.namespace,
    labels: { 'app.kubernetes.io/name': 'galera-restore', 'app.kubernetes.io/part-of': spec.name, 'galera-gitops.io/restore-of': spec.name },
  });
  const template = dataClaim(env.storage.size, env.storage.class) as { spec: Record<string, unknown> };
  const memberClaim = `${DATA_CLAIM}-${spec.name}-0`;
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(`${name}-script`), data: { 'restore.sh': script('restore.sh'), 'store.sh': script('store.sh') } },
    // Labelled like the claims the StatefulSet makes, so the rules see a member's volume.
    { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: memberClaim, namespace: env.namespace, labels: { 'galera-gitops.io/cluster': spec.name } }, spec: template.spec },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta(name),
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: 6 * 3600,
        template: {
          metadata: { labels: { 'galera-gitops.io/restore-of': spec.name } },
          spec: {
            restartPolicy: 'Never',
            securityContext: { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: 'RuntimeDefault' } },
            ...store.podSpec,
            containers: [
              {
                name: 'restore',
                image: spec.image,
                command: ['bash', '/etc/galera-gitops-restore/restore.sh'],
                env: [{ name: 'BACKUP', value: backup }, ...store.env],
                resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
                volumeMounts: [
                  { name: 'data', mountPath: DATA_DIR },
                  ...store.mounts,
                  { name: 'script', mountPath: '/etc/galera-gitops-restore', readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'data', persistentVolumeClaim: { claimName: memberClaim } },
              ...store.volumes,
              { name: 'script', configMap: { name: `${name}-script` } },
              { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
            ],
          },
        },
      },
    },
  ];
}
