/**
 * The cluster cache, kept by @kubernetes/client-node informers (list, then watch; no call
 * per request): StatefulSets, Services and Namespaces of every namespace. Ready once each
 * has listed. A watch that fails is restarted with a delay.
 */
import { AppsV1Api, CoreV1Api, KubeConfig, makeInformer, type Informer, type KubernetesObject } from '@kubernetes/client-node';
import { isRecord, labelsOf } from '../policies/object.ts';
import type { KubeObject, Related } from '../policies/index.ts';
import { ObjectStore, type ClusterCache } from './cache.ts';
import type { Logger } from './log.ts';

const RESTART_DELAY_MS = 3000;

export function loadKubeConfig(file: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (file === undefined) kc.loadFromCluster();
  else kc.loadFromFile(file);
  return kc;
}

export class InformerCache implements ClusterCache {
  readonly connected = true;
  private readonly store = new ObjectStore();
  private readonly informers: Informer<KubernetesObject>[] = [];
  private readonly listed = new Set<string>();
  private stopped = false;
  private readonly logger: Logger;

  constructor(kc: KubeConfig, logger: Logger) {
    this.logger = logger;
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    this.watch(kc, 'StatefulSet', 'apps/v1', '/apis/apps/v1/statefulsets', () => apps.listStatefulSetForAllNamespaces());
    this.watch(kc, 'Service', 'v1', '/api/v1/services', () => core.listServiceForAllNamespaces());
    this.watch(kc, 'Namespace', 'v1', '/api/v1/namespaces', () => core.listNamespace());
  }

  private watch(kc: KubeConfig, kind: string, apiVersion: string, path: string, list: () => Promise<{ items: KubernetesObject[] }>): void {
    const informer = makeInformer(kc, path, list as () => Promise<never>);
    const toObject = (obj: KubernetesObject): KubeObject | undefined => {
      const value: unknown = { ...obj, apiVersion, kind };
      return isRecord(value) && isRecord(value.metadata) ? (value as KubeObject) : undefined;
    };
    informer.on('add', (obj) => {
      const o = toObject(obj);
      if (o !== undefined) this.store.put(o);
    });
    informer.on('update', (obj) => {
      const o = toObject(obj);
      if (o !== undefined) this.store.put(o);
    });
    informer.on('delete', (obj) => {
      const o = toObject(obj);
      if (o !== undefined) this.store.delete(o);
    });
    informer.on('error', (error: unknown) => {
      this.logger.warn({ kind, err: error instanceof Error ? error.message : String(error) }, 'watch failed; restarting');
      setTimeout(() => {
        if (!this.stopped) informer.start().catch(() => undefined);
      }, RESTART_DELAY_MS).unref();
    });
    this.informers.push(informer);
    const start = (): void => {
      informer.start().then(
        () => {
          this.listed.add(kind);
          this.logger.info({ kind }, 'cache synced');
        },
        (error: unknown) => {
          this.logger.warn({ kind, err: error instanceof Error ? error.message : String(error) }, 'initial list failed; retrying');
          if (!this.stopped) setTimeout(start, RESTART_DELAY_MS).unref();
        },
      );
    };
    start();
  }

  synced(): boolean {
    return this.listed.size === this.informers.length;
  }

  view(): Related {
    return this.store.view();
  }

  namespaceLabels(name: string): Record<string, string> | undefined {
    const ns = this.store.get('Namespace', '', name);
    return ns === undefined ? undefined : labelsOf(ns);
  }

  stop(): void {
    this.stopped = true;
    for (const informer of this.informers) void informer.stop();
  }
}
