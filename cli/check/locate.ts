/**
 * Maps a finding's field path (`spec.volumeClaimTemplates[0].spec.accessModes`) back to a
 * line in the YAML document it came from. A field the file omitted (a default) points at
 * the deepest part of the path that is written.
 */
import { isMap, isSeq, isScalar, type LineCounter, type Node } from 'yaml';

export type Locator = (path: string) => number;

/** @param root the node of the object (a document's contents, or an item of a List). */
export function locator(root: Node | null, lineCounter: LineCounter): Locator {
  const lineOf = (node: Node): number => lineCounter.linePos(node.range?.[0] ?? 0).line;
  return (path: string) => {
    if (root === null) return 1;
    let node: Node = root;
    let rest = path;
    while (rest !== '') {
      const step = stepInto(node, rest);
      if (step === undefined) break;
      [node, rest] = step;
    }
    return lineOf(node);
  };
}

/** One step down the path: a list index `[i]` or the longest map key the path starts with. */
function stepInto(node: Node, rest: string): [Node, string] | undefined {
  const index = /^\[(\d+)\]\.?/.exec(rest);
  if (index !== null) {
    if (!isSeq(node)) return undefined;
    const item = node.items[Number(index[1])];
    return item === undefined || item === null ? undefined : [item as Node, rest.slice(index[0].length)];
  }
  if (!isMap(node)) return undefined;
  let best: { key: string; value: Node } | undefined;
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key === undefined || !(rest === key || rest.startsWith(`${key}.`) || rest.startsWith(`${key}[`))) continue;
    if (best !== undefined && best.key.length >= key.length) continue;
    const value = (pair.value ?? pair.key) as Node;
    best = { key, value };
  }
  if (best === undefined) return undefined;
  const after = rest.slice(best.key.length);
  return [best.value, after.startsWith('.') ? after.slice(1) : after];
}
