/** Small object builders for the tests (policy unit tests, webhook tests, benchmarks). */
import type { KubeObject, Related } from '../../policies/types.ts';
import { bundleRelated } from '../../policies/bundle.ts';

/** A readiness probe of the shape the generator writes (readiness-probe asks only that one exists). */
export const READY = { exec: { command: ['/scripts/probe.sh', 'ready'] } };

export function statefulSet(name: string, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'db', ...metadata },
    spec: {
      replicas: 3,
      serviceName: `${name}-peers`,
      template: {
        spec: {
          terminationGracePeriodSeconds: 600,
          containers: [{ name: 'db', image: 'mariadb:11.4', readinessProbe: READY, volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql' }] }],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }],
      ...spec,
    },
  };
}

export function galeraStatefulSet(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return statefulSet(name, spec, { labels: { 'galera-gitops.io/cluster': name } });
}

export function service(name: string, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'db', ...metadata }, spec };
}

/** A cluster cache as the webhook will have it: objects it returns are not under review. */
export function clusterOf(objects: KubeObject[]): Related {
  const bundle = bundleRelated(objects);
  return { scope: 'cluster', get: bundle.get.bind(bundle), list: bundle.list.bind(bundle) };
}
