/**
 * Reads the `check` command's input: YAML (multi-document) and JSON files, folders
 * (recursively), `kind: List` items and `-` for standard input. Every object keeps where
 * it came from so findings can name a file and line.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';
import { isKubeObject, isRecord, notAnObjectReason, type KubeObject } from '../../policies/index.ts';
import { locator, type Locator } from './locate.ts';

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

/** Unreadable input: the command reports it and exits 2. */
export class InputError extends Error {}

const MANIFEST = /\.(ya?ml|json)$/i;

export function loadInputs(paths: readonly string[], readStdin: () => string): LoadResult {
  const result: LoadResult = { objects: [], notices: [] };
  for (const path of paths) {
    if (path === '-') {
      parseText(readStdin(), '<stdin>', result);
      continue;
    }
    for (const file of expand(path)) parseText(readText(file), file, result);
  }
  return result;
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

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(`${file}: cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
}

function parseText(text: string, file: string, result: LoadResult): void {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  for (const document of documents) {
    const error = document.errors[0];
    if (error !== undefined) {
      const pos = error.linePos?.[0];
      const where = pos === undefined ? file : `${file}:${pos.line}:${pos.col}`;
      const first = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
      throw new InputError(`${where}: YAML syntax error: ${first}`);
    }
    const root = document.contents;
    if (root === null) continue;
    let value: unknown;
    try {
      // A low alias budget: manifests rarely use aliases, and a "billion laughs" document must not exhaust memory.
      value = document.toJS({ maxAliasCount: 100 });
    } catch (error) {
      const line = lineCounter.linePos(root.range[0]).line;
      throw new InputError(`${file}:${line}: YAML document cannot be read: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (value === null || value === undefined) continue;
    const locate = locator(root, lineCounter);
    addValue(value, root, file, locate(''), locate, lineCounter, result);
  }
}

function addValue(
  value: unknown,
  root: Node,
  file: string,
  line: number,
  locate: Locator,
  lineCounter: LineCounter,
  result: LoadResult,
): void {
  // `kubectl get -o yaml` lists may come without metadata, so a List is not required to be an object.
  if (isRecord(value) && value.kind === 'List' && Array.isArray(value.items)) {
    const itemsNode = isMap(root) ? root.get('items', true) : undefined;
    value.items.forEach((item: unknown, i) => {
      const itemNode = isSeq(itemsNode) ? (itemsNode.items[i] as Node | undefined) : undefined;
      const itemLocate = itemNode === undefined ? locate : locator(itemNode, lineCounter);
      addValue(item, itemNode ?? root, file, itemLocate(''), itemLocate, lineCounter, result);
    });
    return;
  }
  if (isKubeObject(value)) {
    result.objects.push({ object: value, file, line, locate });
    return;
  }
  result.notices.push(`${file}:${line}: skipped a document that is not a Kubernetes object (${notAnObjectReason(value) ?? 'unknown shape'})`);
}
