/**
 * Reads the `check` command's input: YAML (multi-document) and JSON files, folders
 * (recursively), `kind: List` items and `-` for standard input. Every object keeps where
 * it came from so findings can name a file and line.
 *
 * Input is bounded (see limits.ts): sizes are checked before reading, nesting while
 * parsing, and documents are parsed one at a time, each object keeping its plain value and
 * where its document is, not the document's syntax tree.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isSeq, LineCounter, type Node } from 'yaml';
import { isKubeObject, isRecord, notAnObjectReason, type KubeObject } from '../../policies/index.ts';
import { valueDepthProblem } from './depth.ts';
import { streamDocuments } from './documents.ts';
import { InputError } from './input-error.ts';
import { DEFAULT_LIMITS, InputBudget, type Limits } from './limits.ts';
import { documentSpan, joinPath, ReparseCache, reparsingLocator, type DocumentSpan, type Locator } from './locate.ts';
import { InputTooLarge, readFileWithin } from './read.ts';

export { InputError } from './input-error.ts';

export interface SourcedObject {
  object: KubeObject;
  file: string;
  line: number;
  locate: Locator;
}

export interface LoadResult {
  objects: SourcedObject[];
  /** Documents that were skipped, with where and why. */
  notices: string[];
}

/**
 * Standard input's text. A reader given `maxBytes` may stop past it by throwing
 * InputTooLarge (read.ts), so that an endless pipe is not read to its end.
 */
export type ReadStdin = (maxBytes: number) => string;

const MANIFEST = /\.(ya?ml|json)$/i;

const STDIN = '<stdin>';

export function loadInputs(paths: readonly string[], readStdin: ReadStdin, limits: Limits = DEFAULT_LIMITS): LoadResult {
  const result: LoadResult = { objects: [], notices: [] };
  const budget = new InputBudget(limits);
  const load: Load = { limits, result, cache: new ReparseCache() };
  for (const path of paths) {
    if (path === '-') {
      parseText(readStdinWithin(readStdin, budget), STDIN, load);
      continue;
    }
    for (const file of expand(path)) parseText(readFileWithin(file, budget), file, load);
  }
  return result;
}

/** What the documents of one run share. */
interface Load {
  limits: Limits;
  result: LoadResult;
  cache: ReparseCache;
}

function readStdinWithin(readStdin: ReadStdin, budget: InputBudget): string {
  let text: string;
  try {
    text = readStdin(budget.nextInputCap);
  } catch (error) {
    // Over a cap: the budget words the refusal, naming the cap that was passed.
    if (error instanceof InputTooLarge) budget.admit(STDIN, error.bytes, false);
    if (error instanceof InputError) throw error;
    throw new InputError(`${STDIN}: cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
  budget.admit(STDIN, Buffer.byteLength(text, 'utf8'), true);
  return text;
}

function expand(path: string): string[] {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    throw new InputError(`${path}: no such file or folder`);
  }
  if (stats.isFile()) return [path];
  if (!stats.isDirectory()) throw new InputError(`${path}: not a file or folder`);
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && MANIFEST.test(entry.name)) files.push(full);
    }
  };
  walk(path);
  return files;
}

function parseText(text: string, file: string, load: Load): void {
  const lineCounter = new LineCounter();
  const { maxDepth } = load.limits;
  for (const { document, hasAlias } of streamDocuments(text, file, lineCounter, maxDepth)) {
    const error = document.errors[0];
    if (error !== undefined) {
      const pos = error.pos[0] >= 0 ? lineCounter.linePos(error.pos[0]) : undefined;
      const where = pos === undefined ? file : `${file}:${pos.line}:${pos.col}`;
      throw new InputError(`${where}: YAML syntax error: ${error.message.split('\n')[0] ?? error.message}`);
    }
    const root = document.contents;
    if (root === null) continue;
    const line = lineCounter.linePos(root.range[0]).line;
    let value: unknown;
    try {
      // A low alias budget: manifests rarely use aliases, and a "billion laughs" document must not exhaust memory.
      value = document.toJS({ maxAliasCount: 100 });
    } catch (error) {
      throw new InputError(`${file}:${line}: YAML document cannot be read: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (value === null || value === undefined) continue;
    // Without aliases the value nests exactly as the text does, which the parse has checked.
    const problem = hasAlias ? valueDepthProblem(value, maxDepth) : undefined;
    if (problem === 'cycle') throw new InputError(`${file}:${line}: YAML aliases make this document contain itself`);
    if (problem === 'too deep') throw new InputError(`${file}:${line}: YAML aliases nest this document deeper than ${maxDepth} levels of mappings and sequences`);
    const span = documentSpan(text, document.range, lineCounter);
    addValue(value, root, { file, span, prefix: '', line }, lineCounter, load);
  }
}

/** Where an object is: its file and line, and its document and path in it for locating fields. */
interface Place {
  file: string;
  span: DocumentSpan;
  /** The object's path in its document: '' for the document itself, `items[2]` in a List. */
  prefix: string;
  line: number;
}

function addValue(value: unknown, node: Node, place: Place, lineCounter: LineCounter, load: Load): void {
  const { result, cache } = load;
  // `kubectl get -o yaml` lists may come without metadata, so a List is not required to be an object.
  if (isRecord(value) && value.kind === 'List' && Array.isArray(value.items)) {
    const itemsNode = isMap(node) ? node.get('items', true) : undefined;
    value.items.forEach((item: unknown, i) => {
      const itemNode = isSeq(itemsNode) ? (itemsNode.items[i] as Node | undefined) : undefined;
      const line = itemNode?.range === undefined || itemNode.range === null ? place.line : lineCounter.linePos(itemNode.range[0]).line;
      addValue(item, itemNode ?? node, { ...place, prefix: joinPath(place.prefix, `items[${i}]`), line }, lineCounter, load);
    });
    return;
  }
  if (isKubeObject(value)) {
    result.objects.push({ object: value, file: place.file, line: place.line, locate: reparsingLocator(place.span, place.prefix, cache) });
    return;
  }
  result.notices.push(`${place.file}:${place.line}: skipped a document that is not a Kubernetes object (${notAnObjectReason(value) ?? 'unknown shape'})`);
}
