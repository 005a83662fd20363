/** SARIF 2.1.0 for code scanning (GitHub, GitLab): one result per finding. */
import type { Log, ReportingDescriptor, Result } from 'sarif';
import { CATALOGUE } from '../../policies/index.ts';
import type { CheckReport } from './run.ts';
import { objectName } from './report-text.ts';

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export function sarifReport(report: CheckReport, version: string): string {
  const rules: ReportingDescriptor[] = CATALOGUE.map((rule) => ({
    id: rule.id,
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.why },
    help: { text: rule.fix },
    defaultConfiguration: { level: rule.severity === 'deny' ? 'error' : 'warning' },
  }));
  const results: Result[] = report.findings.map((f) => {
    const result: Result = {
      ruleId: f.rule,
      ruleIndex: CATALOGUE.findIndex((r) => r.id === f.rule),
      level: f.severity === 'deny' ? 'error' : 'warning',
      message: { text: `${objectName(f)} ${f.path}: ${f.message}` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: f.file === '<stdin>' || f.file === undefined ? 'stdin' : f.file },
            region: { startLine: f.line ?? 1 },
          },
        },
      ],
      properties: { object: f.object, path: f.path, ...(f.detection === undefined ? {} : { detection: f.detection }) },
    };
    if (f.waived !== undefined) result.suppressions = [{ kind: 'inSource', justification: f.waived }];
    return result;
  });
  const log: Log = {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'galera-gitops', version, rules } }, results }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
