/**
 * The nesting-depth limit, checked without recursion so that the check itself cannot
 * overflow the stack: on the `yaml` parser's own stack of open tokens while it parses (the
 * parser is iterative; the composer and `toJS` after it recurse once per level), and on the
 * plain value of a document whose aliases can nest it deeper than its text does, or make it
 * contain itself.
 */
import { CST } from 'yaml';

/**
 * The innermost collection open on the parser's stack when more than `maxDepth` are open.
 * @returns its offset in the text, or undefined while the depth is within the limit.
 */
export function collectionPastDepth(stack: readonly CST.Token[], maxDepth: number): number | undefined {
  // Collections are a subset of the stack's tokens: a short stack needs no count.
  if (stack.length <= maxDepth) return undefined;
  let depth = 0;
  for (const token of stack) {
    if (CST.isCollection(token) && ++depth > maxDepth) return token.offset;
  }
  return undefined;
}

/** Why a value is too deep: nested past the limit, or containing itself. */
export type DepthProblem = 'too deep' | 'cycle';

/**
 * Checks the height of a value made by `toJS`, where aliases share objects: each object is
 * measured once (a shared one is not walked again per reference, so an alias-heavy document
 * costs what its distinct objects cost), and an object met again while it is still being
 * walked is a cycle.
 */
export function valueDepthProblem(value: unknown, maxDepth: number): DepthProblem | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const height = new Map<object, number>();
  const open = new Set<object>();
  // An explicit stack of objects with the children still to visit, instead of recursion.
  const stack: { node: object; children: unknown[]; next: number; height: number }[] = [];
  const enter = (node: object): void => {
    open.add(node);
    stack.push({ node, children: Object.values(node), next: 0, height: 1 });
  };
  enter(value);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (frame === undefined) break;
    if (frame.next < frame.children.length) {
      const child = frame.children[frame.next++];
      if (typeof child !== 'object' || child === null) continue;
      if (open.has(child)) return 'cycle';
      const known = height.get(child);
      if (known !== undefined) frame.height = Math.max(frame.height, known + 1);
      else if (stack.length >= maxDepth) return 'too deep';
      else enter(child);
      continue;
    }
    stack.pop();
    open.delete(frame.node);
    height.set(frame.node, frame.height);
    if (frame.height > maxDepth) return 'too deep';
    const parent = stack[stack.length - 1];
    if (parent !== undefined) parent.height = Math.max(parent.height, frame.height + 1);
  }
  return undefined;
}
