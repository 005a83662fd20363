/**
 * GitHub Actions workflow commands: each finding becomes an annotation on the file and
 * line in the pull request. Waived findings are notices.
 */
import type { CheckReport } from './run.ts';
import { objectName } from './report-text.ts';

/** Workflow-command escaping (data: %, CR, LF; properties also : and ,). */
const data = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const property = (s: string): string => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function githubReport(report: CheckReport): string {
  const lines = report.findings.map((f) => {
    const level = f.waived !== undefined ? 'notice' : f.severity === 'deny' ? 'error' : 'warning';
    const where = f.file === undefined || f.file === '<stdin>' ? '' : `file=${property(f.file)},line=${f.line ?? 1},`;
    return `::${level} ${where}title=${property(`galera-gitops ${f.rule}`)}::${data(`${objectName(f)} ${f.path}: ${f.message}`)}`;
  });
  const s = report.summary;
  lines.push(`${s.objects} objects checked: ${s.deny} deny, ${s.warn} warn, ${s.waived} waived`);
  return `${lines.join('\n')}\n`;
}
