/**
 * envs/<env>/backup.yaml: the environment's scheduled backups (docs/backups.md). A CronJob
 * whose pod runs on the node of member 0 with that member's data volume mounted read-only
 * (a ReadWriteOnce volume may be mounted by several pods of one node), the cluster's own
 * image (its mariadb-backup matches the server), the backup volume, and backup.sh from a
 * ConfigMap of its own, so that a change of the backup script never rolls the members.
 * Its pods carry none of the members' labels: no Service routes to them and no Galera rule
 * mistakes them for a member.
 */
import type { ClusterSpec, Environment } from '../spec-types.ts';
import { script } from './base.ts';
import { storeParts } from './backup-store.ts';
import { FLAVORS } from './flavor.ts';
import { DATA_CLAIM, DATA_DIR, labels } from './names.ts';

export const backupName = (spec: ClusterSpec): string => `${spec.name}-backup`;
export const backupClaim = (spec: ClusterSpec): string => `${spec.name}-backups`;
/** The member backed up: 0 exists at every member count. */
const MEMBER = 0;

function backupLabels(spec: ClusterSpec): Record<string, string> {
  return { 'app.kubernetes.io/name': 'galera-backup', 'app.kubernetes.io/part-of': spec.name, 'galera-gitops.io/backup-of': spec.name };
}

export function backupDocs(spec: ClusterSpec, env: Environment, annotations: Record<string, string>): unknown[] {
  const backup = spec.backup;
  if (backup === undefined || !env.backup) return [];
  const meta = (name: string, extra: Record<string, string> = {}): Record<string, unknown> => ({ name, labels: backupLabels(spec), annotations: { ...annotations, ...extra } });
  const member = `${spec.name}-${String(MEMBER)}`;
  const uid = FLAVORS[spec.flavor].uid;
  const env_ = (name: string, value: string): Record<string, string> => ({ name, value });
  const destination = backup.destination;
  const store = storeParts(destination, env, backupClaim(spec), 'backup');
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(`${backupName(spec)}-script`),
      data: { 'backup.sh': script('backup.sh'), 'store.sh': script('store.sh') },
    },
    ...(destination.kind === 'pvc'
      ? [
          {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: meta(backupClaim(spec)),
            spec: {
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: destination.size } },
              ...(destination.class === undefined ? {} : { storageClassName: destination.class }),
              volumeMode: 'Filesystem',
            },
          },
        ]
      : []),
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta(backupName(spec)),
      spec: {
        schedule: backup.schedule,
        timeZone: 'Etc/UTC',
        // One backup at a time; a missed run starts within the hour or waits for the next.
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels: backupLabels(spec) },
          spec: {
            // A failed backup stays failed and visible (GaleraBackupFailed), never retried into a pile.
            backoffLimit: 0,
            activeDeadlineSeconds: 6 * 3600,
            template: {
              metadata: { labels: backupLabels(spec) },
              spec: {
                restartPolicy: 'Never',
                securityContext: { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' } },
                affinity: {
                  podAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: [
                      { labelSelector: { matchLabels: { 'statefulset.kubernetes.io/pod-name': member, ...labels(spec) } }, topologyKey: 'kubernetes.io/hostname' },
                    ],
                  },
                },
                ...store.podSpec,
                containers: [
                  {
                    name: 'backup',
                    image: spec.image,
                    command: ['bash', '/etc/galera-gitops-backup/backup.sh'],
                    env: [
                      env_('CLUSTER', spec.name),
                      env_('MEMBER', `${member}.${spec.name}-peers.${env.namespace}.svc`),
                      env_('RETENTION', String(backup.retention)),
                      env_('VERIFY', backup.verify),
                      // optional: a missing Secret is the script's clear failure, not a pod stuck in CreateContainerConfigError.
                      { name: 'MYSQL_ROOT_PASSWORD', valueFrom: { secretKeyRef: { name: spec.secrets.root, key: 'password', optional: true } } },
                      ...store.env,
                    ],
                    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
                    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
                    volumeMounts: [
                      { name: 'data', mountPath: DATA_DIR, readOnly: true },
                      ...store.mounts,
                      { name: 'script', mountPath: '/etc/galera-gitops-backup', readOnly: true },
                      { name: 'scratch', mountPath: '/scratch' },
                      { name: 'tmp', mountPath: '/tmp' },
                    ],
                  },
                ],
                volumes: [
                  { name: 'data', persistentVolumeClaim: { claimName: `${DATA_CLAIM}-${member}`, readOnly: true } },
                  ...store.volumes,
                  { name: 'script', configMap: { name: `${backupName(spec)}-script` } },
                  // verify=restore unpacks and prepares the backup here: room for the data.
                  { name: 'scratch', emptyDir: { sizeLimit: env.storage.size } },
                  { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
                ],
              },
            },
          },
        },
      },
    },
  ];
}
