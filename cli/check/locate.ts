/**
 * Maps a finding's field path (`spec.volumeClaimTemplates[0].spec.accessModes`) back to a
 * line in the YAML document it came from. A field the file omitted (a default) points at
 * the deepest part of the path that is written.
 *
 * The loader does not keep syntax trees (for 100,000 documents they took most of the
 * memory): an object keeps where its document is in the text, and the document is parsed
 * again when a finding needs a line, which only objects with findings do.
 */
import { isMap, isSeq, isScalar, LineCounter, parseDocument, type Node } from 'yaml';

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

/** Where one document is in its text: from the start of its first line to its end. */
export interface DocumentSpan {
  text: string;
  start: number;
  end: number;
  /** The line `start` is on, counted from 1. */
  firstLine: number;
}

/** The span of the document at `range` (the `yaml` library's: start, value end, node end). */
export function documentSpan(text: string, range: readonly [number, number, number], lineCounter: LineCounter): DocumentSpan {
  const start = text.lastIndexOf('\n', range[0] - 1) + 1;
  return { text, start, end: range[2], firstLine: lineCounter.linePos(start).line };
}

/**
 * The last document parsed again, shared by the locators of one load: the findings of one
 * object are located one after the other, so each document is parsed once, and at most one
 * syntax tree is alive at a time.
 */
export class ReparseCache {
  private span: DocumentSpan | undefined;
  private locate: Locator = () => 1;

  locator(span: DocumentSpan): Locator {
    if (this.span !== span) {
      const lineCounter = new LineCounter();
      const document = parseDocument(span.text.slice(span.start, span.end), { lineCounter });
      const local = locator(document.contents, lineCounter);
      this.locate = (path) => span.firstLine - 1 + local(path);
      this.span = span;
    }
    return this.locate;
  }
}

/**
 * A locator that parses its document again on first use.
 * @param prefix the object's own path in the document: `items[2]` for an item of a List.
 */
export function reparsingLocator(span: DocumentSpan, prefix: string, cache: ReparseCache): Locator {
  return (path) => cache.locator(span)(joinPath(prefix, path));
}

/** `items[2]` and `spec.replicas` make `items[2].spec.replicas`; either may be empty. */
export function joinPath(prefix: string, path: string): string {
  if (prefix === '') return path;
  if (path === '') return prefix;
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
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
