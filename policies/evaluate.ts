/**
 * The engine: judges one object with the catalogue. Every front end calls this; they
 * differ only in where objects and related objects come from and how findings are shown.
 */
import { toCurrentApi } from './api-versions.ts';
import { CATALOGUE, RULE_IDS } from './catalogue.ts';
import { withDefaults } from './defaults.ts';
import { detectGalera } from './detect.ts';
import { refOf } from './object.ts';
import type { Finding, KubeObject, Operation, RawFinding, Related, Rule, Severity, Subject } from './types.ts';
import { parseWaivers } from './waivers.ts';

export interface Review {
  object: KubeObject;
  operation: Operation;
  oldObject?: KubeObject;
  related: Related;
}

/** Per-rule severity from a policy configuration; `off` drops the rule's findings. */
export type SeverityOverrides = Readonly<Record<string, Severity | 'off'>>;

/** The object as rules see it: current API version, apiserver defaults applied. */
export function normalise(obj: KubeObject): KubeObject {
  return withDefaults(toCurrentApi(obj));
}

export function evaluate(review: Review, overrides: SeverityOverrides = {}): Finding[] {
  return evaluateNormalised(review.object, normalise(review.object), review, overrides);
}

/** `evaluate` for an object already normalised by the caller (a bundle normalises once). */
export function evaluateNormalised(
  written: KubeObject,
  object: KubeObject,
  review: Omit<Review, 'object'>,
  overrides: SeverityOverrides = {},
): Finding[] {
  const galera = detectGalera(object, review.related);
  if (galera.skipped !== undefined) return [];
  const subject: Subject = {
    object,
    written,
    ref: refOf(object),
    operation: review.operation,
    oldObject: review.oldObject === undefined ? undefined : normalise(review.oldObject),
    related: review.related,
    galera,
  };
  const detection = galera.signals.length > 0 ? galera.signals.join('; ') : undefined;
  const { waivers } = parseWaivers(written, RULE_IDS);
  const findings: Finding[] = [];
  for (const rule of CATALOGUE) {
    if (!rule.kinds.includes('*') && !rule.kinds.includes(object.kind)) continue;
    const override = overrides[rule.id];
    if (override === 'off') continue;
    for (const raw of runRule(rule, subject)) {
      const finding: Finding = {
        rule: rule.id,
        severity: override ?? raw.severity ?? rule.severity,
        object: subject.ref,
        path: raw.path,
        message: raw.message,
      };
      const why = raw.detection ?? detection;
      if (why !== undefined) finding.detection = why;
      const waiver = waivers.find((w) => w.rule === rule.id);
      if (waiver !== undefined) finding.waived = waiver.reason;
      findings.push(finding);
    }
  }
  return findings;
}

/** A rule that throws is a bug of ours: report it as a warning rather than crash a deploy. */
function runRule(rule: Rule, subject: Subject): readonly RawFinding[] {
  try {
    return rule.check(subject);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return [{ path: '', severity: 'warn', message: `rule ${rule.id} failed on this object (${reason}); it was not judged by this rule: please report this` }];
  }
}

/** True when a finding blocks: deny severity and not waived. */
export function blocks(finding: Finding): boolean {
  return finding.severity === 'deny' && finding.waived === undefined;
}
