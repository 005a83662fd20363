/** The `check` command's work, apart from argument parsing and printing. */
import { blocks, evaluateBundle, type Finding, type SeverityOverrides } from '../../policies/index.ts';
import { DEFAULT_LIMITS, type Limits } from './limits.ts';
import { loadInputs, type ReadStdin } from './load.ts';

export interface Summary {
  objects: number;
  deny: number;
  warn: number;
  waived: number;
}

export interface CheckReport {
  findings: Finding[];
  summary: Summary;
  notices: string[];
}

export function checkInputs(
  paths: readonly string[],
  readStdin: ReadStdin,
  overrides: SeverityOverrides = {},
  limits: Limits = DEFAULT_LIMITS,
): CheckReport {
  const { objects, notices } = loadInputs(paths, readStdin, limits);
  const perObject = evaluateBundle(objects.map((o) => o.object), overrides);
  const findings: Finding[] = [];
  perObject.forEach((list, i) => {
    const source = objects[i];
    if (source === undefined) return;
    const located = list.map((finding) => ({ ...finding, file: source.file, line: source.locate(finding.path) }));
    // Within one object, in the order a reader meets the lines (sort is stable: ties keep catalogue order).
    findings.push(...located.sort((a, b) => a.line - b.line));
  });
  return { findings, summary: summarise(objects.length, findings), notices };
}

export function summarise(objects: number, findings: readonly Finding[]): Summary {
  return {
    objects,
    deny: findings.filter(blocks).length,
    warn: findings.filter((f) => f.severity === 'warn' && f.waived === undefined).length,
    waived: findings.filter((f) => f.waived !== undefined).length,
  };
}
