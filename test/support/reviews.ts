/** AdmissionReview v1 bodies as the apiserver sends them, and an app to send them to. */
import { Writable } from 'node:stream';
import { toCurrentApi } from '../../policies/api-versions.ts';
import type { KubeObject } from '../../policies/index.ts';
import { createHandler, type Handler } from '../../webhook/handler.ts';
import { AdmissionLimits, type LimitSettings } from '../../webhook/limits.ts';
import type { ClusterCache } from '../../webhook/cache.ts';
import { DEFAULT_CONFIG, type PolicyConfig } from '../../webhook/config.ts';
import { createLogger } from '../../webhook/log.ts';
import { createMetrics, type Metrics } from '../../webhook/metrics.ts';

const PLURAL: Record<string, string> = {
  StatefulSet: 'statefulsets',
  Service: 'services',
  PersistentVolumeClaim: 'persistentvolumeclaims',
  Deployment: 'deployments',
  ReplicaSet: 'replicasets',
  ReplicationController: 'replicationcontrollers',
  DaemonSet: 'daemonsets',
  Pod: 'pods',
  HorizontalPodAutoscaler: 'horizontalpodautoscalers',
  ConfigMap: 'configmaps',
};

export interface ReviewOptions {
  operation?: 'CREATE' | 'UPDATE' | 'DELETE';
  oldObject?: KubeObject;
  dryRun?: boolean;
  uid?: string;
}

function gv(apiVersion: string): { group: string; version: string } {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return { group: group ?? '', version: version ?? '' };
}

export function review(object: KubeObject, options: ReviewOptions = {}): Record<string, unknown> {
  const current = toCurrentApi(object);
  const name = typeof object.metadata.name === 'string' ? object.metadata.name : '';
  const namespace = typeof object.metadata.namespace === 'string' ? object.metadata.namespace : '';
  const isScale = object.kind === 'Scale';
  const resource = isScale ? { group: 'apps', version: 'v1', resource: 'statefulsets' } : { ...gv(current.apiVersion), resource: PLURAL[current.kind] ?? `${current.kind.toLowerCase()}s` };
  const operation = options.operation ?? 'CREATE';
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: options.uid ?? `uid-${namespace}-${name}-${object.kind}`,
      kind: { ...gv(object.apiVersion), kind: object.kind },
      resource,
      ...(isScale ? { subResource: 'scale' } : {}),
      requestKind: { ...gv(object.apiVersion), kind: object.kind },
      name,
      namespace,
      operation,
      userInfo: { username: 'system:serviceaccount:argocd:argocd-application-controller' },
      object: operation === 'DELETE' ? null : object,
      oldObject: options.oldObject ?? null,
      dryRun: options.dryRun ?? false,
    },
  };
}

export interface TestApp {
  app: Handler;
  limits: AdmissionLimits;
  metrics: Metrics;
  /** Every log line written so far. */
  logs: string[];
}

export function testApp(cache: ClusterCache, config: PolicyConfig = DEFAULT_CONFIG, limitSettings?: LimitSettings): TestApp {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      done();
    },
  });
  const metrics = createMetrics(false);
  const logger = createLogger('info', sink);
  const limits = new AdmissionLimits(limitSettings);
  return { app: createHandler({ config: () => config, cache, logger, metrics, limits }), limits, metrics, logs };
}
