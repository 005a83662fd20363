import type { RawFinding, Rule, Subject } from '../types.ts';
import { parseWaivers, WAIVE_PATH } from '../waivers.ts';

/** Filled in by the catalogue, which knows every rule id (this rule is one of them). */
export const waiverRuleIds: string[] = [];

export const waiverSyntax: Rule = {
  id: 'waiver-syntax',
  severity: 'warn',
  title: 'Waivers name a rule and give a reason',
  why: 'A waiver is a recorded decision. One that names no known rule or gives no reason is not honoured, and this warning says so instead of ignoring it silently.',
  fix: 'Write the annotation galera-gitops.io/waive as "<rule>: <reason>", one waiver per line.',
  kinds: ['*'],
  webhookOnly: 'its findings are warnings about the waiver annotation itself',
  check(subject: Subject): readonly RawFinding[] {
    return parseWaivers(subject.written, waiverRuleIds).problems.map((p) => ({ path: WAIVE_PATH, message: p.message }));
  },
};
