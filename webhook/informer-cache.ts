/**
 * The cluster cache, kept by @kubernetes/client-node informers (list, then watch; no call
 * per request): StatefulSets, Services and Namespaces of every namespace.
 *
 * It tells the truth about itself. A kind counts as synced only once a list of it has
 * returned (the informer's start() also resolves when the list failed). A watch that fails
 * is replaced by a new informer after a delay, whose list replaces what the store held for
 * that kind (objects deleted meanwhile go too). While any kind has been failing for longer
 * than the staleness bound, the cache is stale: reviews see no related objects (scope
 * `none`, never "missing"), readiness fails, a metric and a log line say so, and it
 * recovers by itself once every kind lists again.
 */
import { AppsV1Api, CoreV1Api, KubeConfig, PolicyV1Api, makeInformer, type Informer, type KubernetesObject } from '@kubernetes/client-node';
import { isRecord, labelsOf } from '../policies/object.ts';
import type { KubeObject, Related } from '../policies/index.ts';
import { ObjectStore, type ClusterCache } from './cache.ts';
import type { Logger } from './log.ts';

const RESTART_DELAY_MS = 2000;
/** How long a broken watch is tolerated before reviews stop trusting the cache. */
export const DEFAULT_STALE_AFTER_MS = 30_000;

export function loadKubeConfig(file: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (file === undefined) kc.loadFromCluster();
  else kc.loadFromFile(file);
  return kc;
}

interface KindState {
  apiVersion: string;
  path: string;
  list: () => Promise<{ items: KubernetesObject[] }>;
  informer?: Informer<KubernetesObject>;
  listed: boolean;
  /** Since when the watch of this kind is broken, or undefined while it is healthy. */
  failingSince?: number;
}

export class InformerCache implements ClusterCache {
  readonly connected = true;
  private readonly store = new ObjectStore();
  private readonly kinds = new Map<string, KindState>();
  private stopped = false;
  private wasStale = false;
  private readonly logger: Logger;
  private readonly kc: KubeConfig;
  private readonly staleAfterMs: number;
  private readonly ticker: NodeJS.Timeout;

  constructor(kc: KubeConfig, logger: Logger, staleAfterMs = DEFAULT_STALE_AFTER_MS) {
    this.kc = kc;
    this.logger = logger;
    this.staleAfterMs = staleAfterMs;
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    this.kinds.set('StatefulSet', { apiVersion: 'apps/v1', path: '/apis/apps/v1/statefulsets', list: () => apps.listStatefulSetForAllNamespaces(), listed: false });
    this.kinds.set('Service', { apiVersion: 'v1', path: '/api/v1/services', list: () => core.listServiceForAllNamespaces(), listed: false });
    this.kinds.set('Namespace', { apiVersion: 'v1', path: '/api/v1/namespaces', list: () => core.listNamespace(), listed: false });
    // The budgets over Galera members: a StatefulSet's new replicas are judged against them.
    const policy = kc.makeApiClient(PolicyV1Api);
    this.kinds.set('PodDisruptionBudget', { apiVersion: 'policy/v1', path: '/apis/policy/v1/poddisruptionbudgets', list: () => policy.listPodDisruptionBudgetForAllNamespaces(), listed: false });
    for (const kind of this.kinds.keys()) this.watch(kind);
    // Staleness begins by the clock, not by an event: look once a second.
    this.ticker = setInterval(() => {
      this.noticeStaleness();
    }, 1000);
    this.ticker.unref();
  }

  private toObject(kind: string, obj: KubernetesObject): KubeObject | undefined {
    const value: unknown = { ...obj, apiVersion: this.kinds.get(kind)?.apiVersion, kind };
    return isRecord(value) && isRecord(value.metadata) ? (value as KubeObject) : undefined;
  }

  private watch(kind: string): void {
    const state = this.kinds.get(kind);
    if (state === undefined || this.stopped) return;
    const list = async (): Promise<{ items: KubernetesObject[] }> => {
      const result = await state.list();
      // A list is the truth for this kind: what it does not hold is gone.
      this.store.replaceKind(kind, result.items.map((o) => this.toObject(kind, o)).filter((o) => o !== undefined));
      const recovered = state.failingSince !== undefined;
      state.failingSince = undefined;
      if (!state.listed || recovered) this.logger.info({ kind }, recovered ? 'cache in sync again' : 'cache synced');
      state.listed = true;
      return result;
    };
    const informer = makeInformer(this.kc, state.path, list as () => Promise<never>);
    state.informer = informer;
    const put = (obj: KubernetesObject): void => {
      const o = this.toObject(kind, obj);
      if (o !== undefined) this.store.put(o);
    };
    informer.on('add', put);
    informer.on('update', put);
    informer.on('delete', (obj) => {
      const o = this.toObject(kind, obj);
      if (o !== undefined) this.store.delete(o);
    });
    informer.on('error', (error: unknown) => {
      state.failingSince ??= Date.now();
      this.logger.warn({ kind, err: error instanceof Error ? error.message : String(error) }, state.listed ? 'watch failed; listing again shortly' : 'initial list failed; retrying');
      void informer.stop();
      setTimeout(() => {
        if (state.informer === informer) this.watch(kind);
      }, RESTART_DELAY_MS).unref();
    });
    informer.start().catch(() => undefined);
  }

  private noticeStaleness(): void {
    const stale = this.stale();
    if (stale === this.wasStale) return;
    this.wasStale = stale;
    if (stale) {
      const broken = Object.entries(this.ages()).filter(([, age]) => age > 0).map(([kind, age]) => `${kind} (${String(Math.round(age))} s)`);
      this.logger.warn({ broken }, `cache stale: watches broken for longer than ${String(this.staleAfterMs / 1000)} s; reviews judge objects alone until the cache is in sync again`);
    } else {
      this.logger.info('cache fresh: reviews see related objects again');
    }
  }

  synced(): boolean {
    return [...this.kinds.values()].every((s) => s.listed);
  }

  stale(): boolean {
    const now = Date.now();
    return [...this.kinds.values()].some((s) => s.listed && s.failingSince !== undefined && now - s.failingSince > this.staleAfterMs);
  }

  ages(): Record<string, number> {
    const now = Date.now();
    return Object.fromEntries([...this.kinds].map(([kind, s]) => [kind, s.failingSince === undefined ? 0 : (now - s.failingSince) / 1000]));
  }

  view(): Related {
    return this.stale() ? this.store.view('none') : this.store.view();
  }

  namespaceLabels(name: string): Record<string, string> | undefined {
    const ns = this.store.get('Namespace', '', name);
    return ns === undefined ? undefined : labelsOf(ns);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.ticker);
    for (const state of this.kinds.values()) void state.informer?.stop();
  }
}
