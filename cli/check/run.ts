/** The `check` command's work, apart from argument parsing and printing. */
import { blocks, evaluateBundle, type Finding, type SeverityOverrides } from '../../policies/index.ts';
import { loadInputs } from './load.ts';

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

export function checkInputs(paths: readonly string[], readStdin: () => string, overrides: SeverityOverrides = {}): CheckReport {
  const { objects, notices } = loadInputs(paths, readStdin);
  const perObject = evaluateBundle(objects.map((o) => o.object), overrides);
  const findings: Finding[] = [];
  perObject.forEach((list, i) => {
    const source = objects[i];
    if (source === undefined) return;
    for (const finding of list) findings.push({ ...finding, file: source.file, line: source.locate(finding.path) });
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
