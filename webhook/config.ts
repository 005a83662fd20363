/**
 * The webhook's policy file (`--config`): default mode, per-rule severity, exempt
 * namespaces and what to do when a Scale's parent StatefulSet is unknown. YAML, validated
 * by a schema; errors name the file, line and field.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { RULE_IDS, type SeverityOverrides } from '../policies/index.ts';

export type Mode = 'enforce' | 'warn' | 'off';

export interface PolicyConfig {
  /** Default mode; a namespace label galera-gitops.io/mode overrides it. */
  mode: Mode;
  severity: SeverityOverrides;
  /** Never judged (kube-system and the webhook's own namespace belong here). */
  exemptNamespaces: readonly string[];
  /** A Scale of a StatefulSet the cache does not know: deny (default) or allow. */
  unknownParent: 'deny' | 'allow';
  /**
   * Seconds between periodic audits of the whole cluster, whose findings in warn-mode
   * namespaces become Events on the objects; 0 (the default) runs none.
   */
  auditIntervalSeconds: number;
}

export const DEFAULT_CONFIG: PolicyConfig = { mode: 'enforce', severity: {}, exemptNamespaces: ['kube-system'], unknownParent: 'deny', auditIntervalSeconds: 0 };

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    mode: { enum: ['enforce', 'warn', 'off'] },
    severity: { type: 'object', propertyNames: { enum: [...RULE_IDS] }, additionalProperties: { enum: ['deny', 'warn', 'off'] } },
    exemptNamespaces: { type: 'array', items: { type: 'string' } },
    unknownParent: { enum: ['deny', 'allow'] },
    // At least a minute: each audit lists every judged kind of the cluster.
    auditIntervalSeconds: { type: 'integer', anyOf: [{ const: 0 }, { minimum: 60 }] },
  },
};

let validate: ValidateFunction<Partial<PolicyConfig>> | undefined;

export class ConfigError extends Error {}

export function parseConfig(text: string, file: string): PolicyConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors[0] !== undefined) throw new ConfigError(`${file}: ${doc.errors[0].message.split('\n')[0] ?? ''}`);
  const value: unknown = doc.toJS() ?? {};
  validate ??= new Ajv({ allErrors: true }).compile<Partial<PolicyConfig>>(schema);
  if (!validate(value)) {
    const problems = (validate.errors ?? [])
      .filter((e) => e.keyword !== 'propertyNames')
      .map((e) => {
        const parts = e.instancePath.split('/').slice(1);
        const node = doc.getIn(e.propertyName === undefined ? parts : [...parts, e.propertyName], true) as { range?: [number, number, number] } | undefined;
        const line = lineCounter.linePos(node?.range?.[0] ?? 0).line;
        const field = [...parts, ...(e.propertyName === undefined ? [] : [e.propertyName])].join('.') || '(top level)';
        const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues;
        const what =
          e.propertyName !== undefined
            ? `not a rule of the catalogue (${RULE_IDS.join(', ')})`
            : e.keyword === 'enum' && allowed !== undefined
              ? `must be one of ${allowed.map(String).join(', ')}`
              : e.keyword === 'additionalProperties'
                ? `unknown field ${String((e.params as { additionalProperty?: string }).additionalProperty)} (known: mode, severity, exemptNamespaces, unknownParent, auditIntervalSeconds)`
                : (e.message ?? 'invalid');
        return `${file}:${String(line)}: ${field}: ${what}`;
      });
    throw new ConfigError(problems.join('\n'));
  }
  return {
    mode: value.mode ?? DEFAULT_CONFIG.mode,
    severity: value.severity ?? {},
    exemptNamespaces: value.exemptNamespaces ?? DEFAULT_CONFIG.exemptNamespaces,
    unknownParent: value.unknownParent ?? DEFAULT_CONFIG.unknownParent,
    auditIntervalSeconds: value.auditIntervalSeconds ?? DEFAULT_CONFIG.auditIntervalSeconds,
  };
}

export function readConfig(file: string | undefined): PolicyConfig {
  if (file === undefined) return DEFAULT_CONFIG;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`${file}: cannot be read`);
  }
  return parseConfig(text, file);
}
