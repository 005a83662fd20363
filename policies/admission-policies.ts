/**
 * `galera-gitops export policies`: the catalogue as in-process admission policies, for
 * clusters that take no webhook. Every rule with `admission` CEL becomes a
 * ValidatingAdmissionPolicy `galera-gitops.<rule>` (admissionregistration.k8s.io/v1) whose
 * match conditions are exact Galera detection from the object alone (match-conditions.ts
 * `galeraWorkload`) and "this rule is not waived", with two bindings: Deny in the
 * namespaces in enforce mode, Warn in those in warn mode (the namespace label
 * galera-gitops.io/mode, else the default mode; exempt namespaces in neither). The rest of
 * the catalogue is listed as webhook only. A MutatingAdmissionPolicy (v1, GA since
 * Kubernetes 1.36) adds publishNotReadyAddresses: true to a Galera governing Service that
 * left it out, as the mutating webhook does.
 */
import { CATALOGUE } from './catalogue.ts';
import type { SeverityOverrides } from './evaluate.ts';
import { galeraWorkload, lit, mutatingMatchConditions } from './match-conditions.ts';
import { WAIVE_ANNOTATION } from './waivers.ts';
import type { Rule } from './types.ts';

export type PolicyMode = 'enforce' | 'warn' | 'off';
export const MODE_LABEL = 'galera-gitops.io/mode';
const API = 'admissionregistration.k8s.io/v1';

export interface ExportOptions {
  mode: PolicyMode;
  severity: SeverityOverrides;
  exemptNamespaces: readonly string[];
}

type Doc = Record<string, unknown>;

/** The API group, version and resource of each kind a policy can match. */
const RESOURCES: Readonly<Record<string, [string, string, string]>> = {
  StatefulSet: ['apps', 'v1', 'statefulsets'],
  Deployment: ['apps', 'v1', 'deployments'],
  ReplicaSet: ['apps', 'v1', 'replicasets'],
  DaemonSet: ['apps', 'v1', 'daemonsets'],
  ReplicationController: ['', 'v1', 'replicationcontrollers'],
  Pod: ['', 'v1', 'pods'],
};

function resourceRules(kinds: readonly string[]): Doc[] {
  const byGroup = new Map<string, string[]>();
  for (const kind of kinds) {
    const found = RESOURCES[kind];
    if (found === undefined) throw new Error(`export policies: no resource known for kind ${kind}`);
    byGroup.set(`${found[0]}/${found[1]}`, [...(byGroup.get(`${found[0]}/${found[1]}`) ?? []), found[2]]);
  }
  return [...byGroup].map(([gv, resources]) => {
    const [group = '', version = ''] = gv.split('/');
    return { apiGroups: [group], apiVersions: [version], operations: ['CREATE', 'UPDATE'], resources, scope: 'Namespaced' };
  });
}

const notWaived = (rule: string): string =>
  `!(has(object.metadata.annotations) && ${lit(WAIVE_ANNOTATION)} in object.metadata.annotations && object.metadata.annotations[${lit(WAIVE_ANNOTATION)}].matches(${lit(`(?m)^\\s*${rule}\\s*:\\s*\\S`)}))`;

function validatingPolicy(rule: Rule): Doc[] {
  const cel = rule.admission;
  if (cel === undefined) return [];
  const name = `galera-gitops.${rule.id}`;
  return [
    {
      apiVersion: API,
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name, annotations: { 'galera-gitops.io/rule': rule.id } },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: { resourceRules: resourceRules(cel.kinds) },
        matchConditions: [
          { name: 'is-galera', expression: galeraWorkload('object') },
          { name: 'not-waived', expression: notWaived(rule.id) },
        ],
        validations: cel.validations.map((v) => ({ expression: v.expression, message: `${rule.id} at ${v.path}: ${rule.title}. ${rule.fix}`, reason: 'Invalid' })),
      },
    },
  ];
}

/** Namespaces a mode applies to: the label says so, or it says nothing valid and the mode is the default. */
function namespaceSelector(mode: PolicyMode, options: ExportOptions): Doc {
  const others = (['enforce', 'warn', 'off'] as const).filter((m) => m !== mode);
  const expressions: Doc[] = [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', ...options.exemptNamespaces.filter((n) => n !== 'kube-system')] }];
  if (mode === options.mode) expressions.push({ key: MODE_LABEL, operator: 'NotIn', values: others });
  else expressions.push({ key: MODE_LABEL, operator: 'In', values: [mode] });
  return { matchExpressions: expressions };
}

function bindings(rule: Rule, options: ExportOptions): Doc[] {
  const severity = options.severity[rule.id] ?? rule.severity;
  return (['enforce', 'warn'] as const).map((mode) => ({
    apiVersion: API,
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: `galera-gitops.${rule.id}.${mode}` },
    spec: {
      policyName: `galera-gitops.${rule.id}`,
      validationActions: mode === 'enforce' && severity === 'deny' ? ['Deny'] : ['Warn'],
      matchResources: { namespaceSelector: namespaceSelector(mode, options) },
    },
  }));
}

function mutatingPolicy(options: ExportOptions): Doc[] {
  const name = 'galera-gitops.publish-not-ready-addresses';
  const [condition] = mutatingMatchConditions();
  return [
    {
      apiVersion: API,
      kind: 'MutatingAdmissionPolicy',
      metadata: { name },
      spec: {
        failurePolicy: 'Fail',
        reinvocationPolicy: 'Never',
        matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['services'], scope: 'Namespaced' }] },
        matchConditions: [
          { name: 'may-govern-galera', expression: condition?.expression ?? 'false' },
          { name: 'left-out', expression: '!has(object.spec.publishNotReadyAddresses)' },
        ],
        mutations: [{ patchType: 'ApplyConfiguration', applyConfiguration: { expression: 'Object{spec: Object.spec{publishNotReadyAddresses: true}}' } }],
      },
    },
    {
      apiVersion: API,
      kind: 'MutatingAdmissionPolicyBinding',
      metadata: { name },
      spec: { policyName: name, matchResources: { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', ...options.exemptNamespaces.filter((n) => n !== 'kube-system')] }, { key: MODE_LABEL, operator: 'NotIn', values: ['off'] }] } } },
    },
  ];
}

export interface ExportedPolicies {
  documents: Doc[];
  /** Rule ids exported as policies. */
  exported: string[];
  /** Rule ids (with why) that only the webhook and `audit` judge, wholly or in part. */
  webhookOnly: { rule: string; why: string }[];
}

export function exportPolicies(options: ExportOptions): ExportedPolicies {
  const rules = CATALOGUE.filter((r) => options.severity[r.id] !== 'off');
  const exported = rules.filter((r) => r.admission !== undefined);
  const webhookOnly = CATALOGUE.flatMap((r) => {
    if (r.admission === undefined) return [{ rule: r.id, why: r.webhookOnly ?? 'it is not decidable from the object alone' }];
    return r.admission.webhookOnly === undefined ? [] : [{ rule: r.id, why: `in part: ${r.admission.webhookOnly}` }];
  });
  return {
    documents: [...exported.flatMap((r) => [...validatingPolicy(r), ...bindings(r, options)]), ...mutatingPolicy(options)],
    exported: exported.map((r) => r.id),
    webhookOnly,
  };
}
