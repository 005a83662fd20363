/**
 * Reads a V8 CPU profile (`node --cpu-prof`) of a server under load and says where its main
 * thread's time went, by what the sampled stack was doing. A sample belongs to the first of
 * these that its stack contains, whatever called it:
 *   start-up   module loading (left out of every figure);
 *   log line   pino and its destination (sonic-boom), the write of the line included;
 *   metrics    prom-client;
 *   rules      policies/ and the webhook's judge and mutate;
 * and otherwise to what its innermost JavaScript frame is: Node itself (HTTP/2, HTTP/1.1,
 * TLS, streams, timers: `node:` frames), the server's own handler code (which includes
 * JSON.parse and JSON.stringify, builtins that have no frame of their own), the garbage
 * collector, or V8's `(program)`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export const CATEGORIES = ['log line', 'metrics', 'rules', 'node (HTTP, TLS, streams, timers)', 'handler code (with JSON.parse/stringify)', 'garbage collector', 'V8 (program)'] as const;
export type Category = (typeof CATEGORIES)[number];

const LIBRARIES: [Category, (url: string) => boolean][] = [
  ['log line', (url) => url.includes('/node_modules/pino/') || url.includes('/node_modules/sonic-boom/')],
  ['metrics', (url) => url.includes('/node_modules/prom-client/')],
  ['rules', (url) => url.includes('/policies/') || /\/webhook\/(judge|mutate)\.[jt]s$/.test(url)],
];

function categorize(stack: readonly CallFrame[]): Category | 'start-up' | 'idle' {
  const leaf = stack[0]?.functionName;
  if (leaf === '(idle)') return 'idle';
  if (leaf === '(garbage collector)') return 'garbage collector';
  if (leaf === '(program)') return 'V8 (program)';
  if (stack.some((f) => f.url.startsWith('node:internal/modules/'))) return 'start-up';
  for (const [category, matches] of LIBRARIES) if (stack.some((f) => matches(f.url))) return category;
  const innermost = stack.find((f) => f.url !== '');
  return innermost === undefined || innermost.url.startsWith('node:') ? 'node (HTTP, TLS, streams, timers)' : 'handler code (with JSON.parse/stringify)';
}

/** Main-thread milliseconds by category from the one profile in `dir`. */
export function profileMillis(dir: string): Record<Category, number> {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no .cpuprofile in ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const stacks = new Map<number, Category | 'start-up' | 'idle'>();
  const categoryOf = (id: number): Category | 'start-up' | 'idle' => {
    let known = stacks.get(id);
    if (known === undefined) {
      const stack: CallFrame[] = [];
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const node = byId.get(at);
        if (node !== undefined) stack.push(node.callFrame);
      }
      known = categorize(stack);
      stacks.set(id, known);
    }
    return known;
  };
  const millis = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  profile.samples.forEach((id, i) => {
    const category = categoryOf(id);
    if (category !== 'idle' && category !== 'start-up') millis[category] += (profile.timeDeltas[i] ?? 0) / 1000;
  });
  return millis;
}
