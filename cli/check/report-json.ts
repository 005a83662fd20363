/** Machine output: `{findings, summary, notices}` with the finding fields as documented. */
import type { CheckReport } from './run.ts';

export function jsonReport(report: CheckReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
