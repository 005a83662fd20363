/**
 * Related objects offline: the rest of the input, indexed by kind, namespace and name.
 * An object without a namespace in a file will land in whatever namespace it is applied
 * to, so the empty namespace matches any namespace in look-ups. An audit judges what it
 * listed from a live cluster the same way, with scope `audit` (scope.ts).
 */
import { evaluateNormalised, normalise, type SeverityOverrides } from './evaluate.ts';
import { nameOf, namespaceOf } from './object.ts';
import type { Finding, KubeObject, Related } from './types.ts';

const key = (...parts: string[]): string => parts.join('\u0000');

function push<T>(map: Map<string, T[]>, k: string, value: T): void {
  const list = map.get(k);
  if (list === undefined) map.set(k, [value]);
  else list.push(value);
}

type JudgedTogether = 'bundle' | 'audit';

/** @param objects already normalised (see `normalise`). */
export function bundleRelatedNormalised(objects: readonly KubeObject[], scope: JudgedTogether = 'bundle'): Related {
  const byName = new Map<string, KubeObject[]>();
  const byNamespace = new Map<string, KubeObject[]>();
  const byKind = new Map<string, KubeObject[]>();
  for (const obj of objects) {
    push(byName, key(obj.kind, nameOf(obj)), obj);
    push(byNamespace, key(obj.kind, namespaceOf(obj)), obj);
    push(byKind, obj.kind, obj);
  }
  const listed = new Map<string, readonly KubeObject[]>();
  return {
    scope,
    get(kind, namespace, name) {
      const candidates = byName.get(key(kind, name)) ?? [];
      return (
        candidates.find((o) => namespaceOf(o) === namespace) ??
        candidates.find((o) => namespace === '' || namespaceOf(o) === '')
      );
    },
    list(kind, namespace) {
      const k = key(kind, namespace);
      let result = listed.get(k);
      if (result === undefined) {
        result = namespace === '' ? (byKind.get(kind) ?? []) : [...(byNamespace.get(k) ?? []), ...(byNamespace.get(key(kind, '')) ?? [])];
        listed.set(k, result);
      }
      return result;
    },
  };
}

export function bundleRelated(objects: readonly KubeObject[]): Related {
  return bundleRelatedNormalised(objects.map(normalise));
}

/** Judges every object of a bundle offline (or of an audit); findings come back per object, in input order. */
export function evaluateBundle(objects: readonly KubeObject[], overrides: SeverityOverrides = {}, scope: JudgedTogether = 'bundle'): Finding[][] {
  const normalised = objects.map(normalise);
  const related = bundleRelatedNormalised(normalised, scope);
  return objects.map((written, i) => evaluateNormalised(written, normalised[i] ?? normalise(written), { operation: 'OFFLINE', related }, overrides));
}
