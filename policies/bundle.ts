/**
 * Related objects offline: the rest of the input, indexed by kind, namespace and name.
 * An object without a namespace in a file will land in whatever namespace it is applied
 * to, so the empty namespace matches any namespace in look-ups.
 */
import { evaluate, normalise, type SeverityOverrides } from './evaluate.ts';
import { nameOf, namespaceOf } from './object.ts';
import type { Finding, KubeObject, Related } from './types.ts';

export function bundleRelated(objects: readonly KubeObject[]): Related {
  const byKind = new Map<string, KubeObject[]>();
  for (const obj of objects.map(normalise)) {
    const list = byKind.get(obj.kind) ?? [];
    list.push(obj);
    byKind.set(obj.kind, list);
  }
  const inNamespace = (obj: KubeObject, namespace: string): boolean => {
    const own = namespaceOf(obj);
    return own === namespace || own === '' || namespace === '';
  };
  return {
    scope: 'bundle',
    get(kind, namespace, name) {
      const candidates = (byKind.get(kind) ?? []).filter((o) => nameOf(o) === name);
      return candidates.find((o) => namespaceOf(o) === namespace) ?? candidates.find((o) => inNamespace(o, namespace));
    },
    list(kind, namespace) {
      return (byKind.get(kind) ?? []).filter((o) => inNamespace(o, namespace));
    },
  };
}

/** Judges every object of a bundle offline; findings come back per object, in input order. */
export function evaluateBundle(objects: readonly KubeObject[], overrides: SeverityOverrides = {}): Finding[][] {
  const related = bundleRelated(objects);
  return objects.map((object) => evaluate({ object, operation: 'OFFLINE', related }, overrides));
}
