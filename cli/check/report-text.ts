/** Human output: one line per finding, then a summary line. */
import type { Finding } from '../../policies/index.ts';
import type { CheckReport } from './run.ts';

export function objectName(f: Finding): string {
  const name = f.object.name === '' ? '(unnamed)' : f.object.name;
  return `${f.object.kind} ${f.object.namespace === '' ? '' : `${f.object.namespace}/`}${name}`;
}

/** `LINE: verdict rule Kind ns/name path: message`, the line without its file (no `LINE: ` for an object read from a cluster). */
export function findingLine(f: Finding): string {
  const verdict = f.waived === undefined ? f.severity : 'waived';
  const waived = f.waived === undefined ? '' : ` (waived: ${f.waived})`;
  return `${f.line === undefined ? '' : `${String(f.line)}: `}${verdict} ${f.rule} ${objectName(f)} ${f.path}: ${f.message}${waived}`;
}

export function textReport(report: CheckReport, verb = 'checked'): string {
  const lines = report.findings.map((f) => `${f.file === undefined ? '' : `${f.file}:`}${findingLine(f)}`);
  lines.push(...report.notices.map((n) => `note: ${n}`));
  const s = report.summary;
  lines.push(`${s.objects} ${s.objects === 1 ? 'object' : 'objects'} ${verb}: ${s.deny} deny, ${s.warn} warn, ${s.waived} waived`);
  return `${lines.join('\n')}\n`;
}
