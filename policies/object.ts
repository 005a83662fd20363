/**
 * Guards and safe accessors for objects that come from outside (YAML files, admission
 * requests). Rules read through these, so a wrongly typed field yields "absent" rather
 * than an exception.
 */
import type { KubeObject, ObjectRef } from './types.ts';

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function record(value: unknown): Json | undefined {
  return isRecord(value) ? value : undefined;
}

export function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** Like `records` but keeps each item's index in the original list, for field paths. */
export function indexed(value: unknown): [number, Json][] {
  if (!Array.isArray(value)) return [];
  const out: [number, Json][] = [];
  value.forEach((item, i) => {
    if (isRecord(item)) out.push([i, item]);
  });
  return out;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function int(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** Reads a nested field: `at(obj, 'spec', 'template', 'spec')`. */
export function at(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** A top-level object with `apiVersion`, `kind` and `metadata`. */
export function isKubeObject(value: unknown): value is KubeObject {
  return (
    isRecord(value) &&
    typeof value.apiVersion === 'string' &&
    value.apiVersion !== '' &&
    typeof value.kind === 'string' &&
    value.kind !== '' &&
    isRecord(value.metadata)
  );
}

/** Why a value is not a Kubernetes object, or undefined when it is one. */
export function notAnObjectReason(value: unknown): string | undefined {
  if (!isRecord(value)) return 'it is not a mapping';
  if (typeof value.apiVersion !== 'string' || value.apiVersion === '') return 'it has no apiVersion';
  if (typeof value.kind !== 'string' || value.kind === '') return 'it has no kind';
  if (!isRecord(value.metadata)) return 'it has no metadata';
  return undefined;
}

export function nameOf(obj: KubeObject): string {
  return str(obj.metadata.name) ?? str(obj.metadata.generateName) ?? '';
}

export function namespaceOf(obj: KubeObject): string {
  return str(obj.metadata.namespace) ?? '';
}

export function refOf(obj: KubeObject): ObjectRef {
  return { kind: obj.kind, namespace: namespaceOf(obj), name: nameOf(obj) };
}

export function labelsOf(value: unknown): Record<string, string> {
  return stringMap(at(value, 'metadata', 'labels'));
}

export function annotationsOf(value: unknown): Record<string, string> {
  return stringMap(at(value, 'metadata', 'annotations'));
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(value)) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Renders a value for a message: strings quoted, lists in brackets. */
export function show(value: unknown): string {
  if (value === undefined) return 'not set';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')}]`;
  return JSON.stringify(value);
}
