/** The public face of the rule catalogue, for the generator, `check` and the webhook. */
export type { Finding, KubeObject, ObjectRef, Operation, RawFinding, Related, Rule, Severity } from './types.ts';
export { CATALOGUE, RULE_IDS, ruleById } from './catalogue.ts';
export { evaluate, blocks, normalise, type Review, type SeverityOverrides } from './evaluate.ts';
export { bundleRelated, evaluateBundle } from './bundle.ts';
export { detectGalera, CLUSTER_LABEL, IGNORE_LABEL } from './detect.ts';
export { memberCountFindings, ODD_MEMBERS } from './member-count.ts';
export { isKubeObject, isRecord, notAnObjectReason } from './object.ts';
export { serviceProblems, galeraServiceReason, TOLERATE_UNREADY } from './service.ts';
export { WAIVE_ANNOTATION } from './waivers.ts';
export { mutatingMatchConditions, validatingMatchConditions, type MatchCondition } from './match-conditions.ts';
