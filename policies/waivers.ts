/**
 * Waivers: `galera-gitops.io/waive: "<rule>: <reason>"` on an object turns that rule's
 * findings on that object into waived findings. They stay in every output (never silent)
 * but neither deny an admission nor fail `check`. Several waivers go on separate lines
 * (a YAML block scalar). A waiver without a reason is not honoured.
 */
import { annotationsOf } from './object.ts';

export const WAIVE_ANNOTATION = 'galera-gitops.io/waive';
export const WAIVE_PATH = `metadata.annotations.${WAIVE_ANNOTATION}`;

export interface Waiver {
  rule: string;
  reason: string;
}

export interface WaiverProblem {
  line: string;
  message: string;
}

export interface ParsedWaivers {
  waivers: Waiver[];
  problems: WaiverProblem[];
}

export function parseWaivers(obj: unknown, knownRules: readonly string[]): ParsedWaivers {
  const value = annotationsOf(obj)[WAIVE_ANNOTATION];
  const result: ParsedWaivers = { waivers: [], problems: [] };
  if (value === undefined) return result;
  for (const raw of value.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const colon = line.indexOf(':');
    const rule = (colon === -1 ? line : line.slice(0, colon)).trim();
    const reason = colon === -1 ? '' : line.slice(colon + 1).trim();
    if (!knownRules.includes(rule)) {
      result.problems.push({
        line,
        message: `${WAIVE_PATH} waives ${JSON.stringify(rule)}, which is not a rule of the catalogue (${knownRules.join(', ')}): write "<rule>: <reason>" with one of those ids`,
      });
    } else if (reason === '') {
      result.problems.push({
        line,
        message: `${WAIVE_PATH} waives ${rule} without a reason, so the waiver is not honoured: write "${rule}: <why this object is safe>"`,
      });
    } else {
      result.waivers.push({ rule, reason });
    }
  }
  return result;
}
