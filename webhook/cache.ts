/**
 * What the webhook knows about the cluster: StatefulSets (the parent of a Scale, the
 * StatefulSet a Service governs), Services (a StatefulSet's governing Service) and
 * Namespaces (the galera-gitops.io/mode label). Each review gets a snapshot view.
 */
import { labelsOf, nameOf, namespaceOf } from '../policies/object.ts';
import { normalise, type KubeObject, type Related } from '../policies/index.ts';

export interface ClusterCache {
  /** False without cluster credentials: only single objects can be judged. */
  readonly connected: boolean;
  /** True once every watched kind has been listed successfully (readiness waits for it). */
  synced(): boolean;
  /**
   * True while a watch has been broken for longer than the staleness bound: the view then
   * has scope `none` (cross-object rules see nothing rather than wrongly "missing"
   * objects) and readiness fails until the cache is fresh again.
   */
  stale(): boolean;
  /** Seconds since each watched kind was last known in sync (0 while healthy). */
  ages(): Record<string, number>;
  view(): Related;
  namespaceLabels(name: string): Record<string, string> | undefined;
  stop(): void;
}

/**
 * Objects by kind, namespace and name, kept up to date by whoever owns the store. Indexed
 * by namespace so a review's look-ups cost what its namespace holds, not the whole cluster.
 */
export class ObjectStore {
  private readonly byKind = new Map<string, Map<string, Map<string, KubeObject>>>();

  private namespace(kind: string, namespace: string, create: boolean): Map<string, KubeObject> | undefined {
    let namespaces = this.byKind.get(kind);
    if (namespaces === undefined) {
      if (!create) return undefined;
      namespaces = new Map();
      this.byKind.set(kind, namespaces);
    }
    let names = namespaces.get(namespace);
    if (names === undefined && create) {
      names = new Map();
      namespaces.set(namespace, names);
    }
    return names;
  }

  put(obj: KubeObject): void {
    this.namespace(obj.kind, namespaceOf(obj), true)?.set(nameOf(obj), obj);
  }

  /** Everything of `kind` is now exactly `objects` (a fresh list). */
  replaceKind(kind: string, objects: readonly KubeObject[]): void {
    this.byKind.delete(kind);
    for (const obj of objects) this.put(obj);
  }

  delete(obj: KubeObject): void {
    this.namespace(obj.kind, namespaceOf(obj), false)?.delete(nameOf(obj));
  }

  get(kind: string, namespace: string, name: string): KubeObject | undefined {
    return this.namespace(kind, namespace, false)?.get(name);
  }

  list(kind: string, namespace: string): KubeObject[] {
    const names = this.namespace(kind, namespace, false);
    return names === undefined ? [] : [...names.values()];
  }

  /**
   * A snapshot for one review (rules memoise per view, so a view must not outlive it). With
   * scope `none` nothing around the object is visible.
   */
  view(scope: Related['scope'] = 'cluster'): Related {
    if (scope === 'none') return { scope, get: () => undefined, list: () => [] };
    return { scope, get: (k, ns, n) => this.get(k, ns, n), list: (k, ns) => this.list(k, ns) };
  }
}

/**
 * A cache with fixed contents: nothing (a webhook without cluster credentials, which sees
 * no related objects), or given objects, as a cluster would hold them or, for the parity
 * tests, as a `check` bundle does.
 */
export class StaticCache implements ClusterCache {
  readonly connected: boolean;
  private readonly store = new ObjectStore();
  private readonly scope: Related['scope'];

  constructor(objects?: readonly KubeObject[], scope: 'cluster' | 'bundle' = 'cluster') {
    this.connected = objects !== undefined;
    this.scope = objects === undefined ? 'none' : scope;
    for (const obj of objects ?? []) this.store.put(normalise(obj));
  }

  synced(): boolean {
    return true;
  }

  stale(): boolean {
    return false;
  }

  ages(): Record<string, number> {
    return {};
  }

  view(): Related {
    return this.store.view(this.scope);
  }

  namespaceLabels(name: string): Record<string, string> | undefined {
    const ns = this.store.get('Namespace', '', name);
    return ns === undefined ? undefined : labelsOf(ns);
  }

  stop(): void {
    // nothing to stop
  }
}
