/**
 * Where an environment's backups are kept, as the parts of a backup or restore pod: the
 * backup volume (`<name>-backups`), or an S3-compatible bucket reached through rclone. For
 * a bucket, an init container copies the rclone binary of `clientImage` into an emptyDir
 * beside mariadb-backup (the server image has no S3 client, and the backup streams from
 * one process into the other), and the remote `store` is configured by environment
 * variables, the keys read from the named Secret (optional: a missing Secret is store.sh's
 * clear failure, not a pod stuck in CreateContainerConfigError). docs/backups.md.
 */
import type { Backup, Environment } from '../spec-types.ts';

type Json = Record<string, unknown>;

export interface StoreParts {
  env: Json[];
  /** Pod spec fields of the store: its init containers, when it has any (never an empty list, which the apiserver drops and Argo CD would show as drift). */
  podSpec: { initContainers?: Json[] };
  volumes: Json[];
  mounts: Json[];
}

const TOOLS = '/tools';
const value = (name: string, v: string): Json => ({ name, value: v });
const secretKey = (name: string, secret: string, key: string): Json => ({ name, valueFrom: { secretKeyRef: { name: secret, key, optional: true } } });

/** The pod parts for `destination`; `claim` names the backup volume; restore mounts it read-only. */
export function storeParts(destination: Backup['destination'], env: Environment, claim: string, mode: 'backup' | 'restore'): StoreParts {
  if (destination.kind === 'pvc') {
    const readOnly = mode === 'restore';
    return {
      env: [],
      podSpec: {},
      volumes: [{ name: 'backups', persistentVolumeClaim: { claimName: claim, ...(readOnly ? { readOnly } : {}) } }],
      mounts: [{ name: 'backups', mountPath: '/backups', ...(readOnly ? { readOnly } : {}) }],
    };
  }
  const d = destination;
  return {
    env: [
      value('S3_ENDPOINT', d.endpoint),
      value('S3_BUCKET', d.bucket),
      value('S3_PREFIX', `${d.prefix === '' ? '' : `${d.prefix}/`}${env.name}`),
      value('S3_SECRET', d.secret),
      value('RCLONE', `${TOOLS}/rclone`),
      value('RCLONE_CONFIG_STORE_TYPE', 's3'),
      value('RCLONE_CONFIG_STORE_PROVIDER', 'Other'),
      value('RCLONE_CONFIG_STORE_ENDPOINT', d.endpoint),
      value('RCLONE_CONFIG_STORE_REGION', d.region),
      value('RCLONE_CONFIG_STORE_FORCE_PATH_STYLE', 'true'),
      // The bucket exists: never try to create it (a least-privilege key may not).
      value('RCLONE_CONFIG_STORE_NO_CHECK_BUCKET', 'true'),
      secretKey('RCLONE_CONFIG_STORE_ACCESS_KEY_ID', d.secret, 'access-key-id'),
      secretKey('RCLONE_CONFIG_STORE_SECRET_ACCESS_KEY', d.secret, 'secret-access-key'),
      value('HOME', '/tmp'),
    ],
    podSpec: {
      initContainers: [
        {
          name: 's3-client',
          image: d.clientImage,
          command: ['sh', '-c', `cp "$(command -v rclone)" ${TOOLS}/rclone`],
          resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
          volumeMounts: [{ name: 'tools', mountPath: TOOLS }],
        },
      ],
    },
    volumes: [{ name: 'tools', emptyDir: { sizeLimit: '256Mi' } }],
    mounts: [{ name: 'tools', mountPath: TOOLS, readOnly: true }],
  };
}
