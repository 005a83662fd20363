/** Human output: one line per finding, then a summary line. */
import type { Finding } from '../../policies/index.ts';
import type { CheckReport } from './run.ts';

export function objectName(f: Finding): string {
  const name = f.object.name === '' ? '(unnamed)' : f.object.name;
  return `${f.object.kind} ${f.object.namespace === '' ? '' : `${f.object.namespace}/`}${name}`;
}

export function textReport(report: CheckReport): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    const verdict = f.waived === undefined ? f.severity : 'waived';
    const where = f.file === undefined ? '' : `${f.file}:${f.line ?? 1}: `;
    const waived = f.waived === undefined ? '' : ` (waived: ${f.waived})`;
    lines.push(`${where}${verdict} ${f.rule} ${objectName(f)} ${f.path}: ${f.message}${waived}`);
  }
  lines.push(...report.notices.map((n) => `note: ${n}`));
  const s = report.summary;
  lines.push(`${s.objects} ${s.objects === 1 ? 'object' : 'objects'} checked: ${s.deny} deny, ${s.warn} warn, ${s.waived} waived`);
  return `${lines.join('\n')}\n`;
}
