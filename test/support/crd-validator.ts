/**
 * Validates objects against the openAPIV3Schema of real CustomResourceDefinitions (the
 * pinned Argo CD and Flux CRDs), the way the apiserver's structural schema would for the
 * parts JSON Schema can express. Kubernetes extensions (x-kubernetes-*) are not JSON Schema
 * and are ignored; CEL rules are left to the real apiserver (the end-to-end tests).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { at, isRecord, records, str } from '../../policies/object.ts';

export interface CrdSchemas {
  /** `group/version Kind` to its validator; only served versions. */
  validators: Map<string, ValidateFunction>;
}

export function loadCrds(dirs: readonly string[]): CrdSchemas {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  const validators = new Map<string, ValidateFunction>();
  for (const dir of dirs) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
        const crd: unknown = doc.toJS();
        if (!isRecord(crd) || crd.kind !== 'CustomResourceDefinition') continue;
        const group = str(at(crd, 'spec', 'group')) ?? '';
        const kind = str(at(crd, 'spec', 'names', 'kind')) ?? '';
        for (const version of records(at(crd, 'spec', 'versions'))) {
          if (version.served !== true) continue;
          const schema = at(version, 'schema', 'openAPIV3Schema');
          if (isRecord(schema)) validators.set(`${group}/${str(version.name) ?? ''} ${kind}`, ajv.compile(schema));
        }
      }
    }
  }
  return { validators };
}

/** Problems of one object, or a problem saying no served CRD version matches it. */
export function crdProblems(schemas: CrdSchemas, obj: unknown): string[] {
  const key = `${str(at(obj, 'apiVersion')) ?? ''} ${str(at(obj, 'kind')) ?? ''}`;
  const validate = schemas.validators.get(key);
  if (validate === undefined) return [`no served CRD version for ${key}`];
  if (validate(obj)) return [];
  return (validate.errors ?? []).map((e) => `${key} ${e.instancePath || '/'}: ${e.message ?? 'invalid'}`);
}
