/**
 * `galera-gitops audit`: the whole catalogue on what a live cluster holds (kubeconfig),
 * cross-object rules included, printed like `check`; `--policy-reports` also writes the
 * findings as wgpolicyk8s.io/v1alpha2 PolicyReports.
 */
import { Command, Option } from 'commander';
import { ConfigError, readConfig } from '../webhook/config.ts';
import { EXIT } from './check/command.ts';
import { jsonReport } from './check/report-json.ts';
import { textReport } from './check/report-text.ts';
import { summarise, type CheckReport } from './check/run.ts';

interface AuditFlags {
  kubeconfig?: string;
  context?: string;
  output: 'text' | 'json';
  policyReports?: boolean;
  config?: string;
}

export function auditCommand(): Command {
  return new Command('audit')
    .description('judge every object of a live cluster with the Galera rule catalogue')
    .addOption(new Option('--kubeconfig <file>', 'cluster credentials (default: KUBECONFIG, then ~/.kube/config, then in-cluster)'))
    .addOption(new Option('--context <name>', 'kubeconfig context to use (default: the current one)'))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(new Option('--policy-reports', 'also write the findings as PolicyReports (wgpolicyk8s.io/v1alpha2), one per namespace'))
    .addOption(new Option('--config <file>', 'policy file whose severity per rule applies (as for serve)'))
    .addHelpText('after', '\nExit codes: 0 no deny finding, 1 at least one deny finding, 2 usage error or unreachable cluster.')
    .action(async (flags: AuditFlags) => {
      const fail = (message: string): void => {
        process.stderr.write(`galera-gitops audit: ${message}\n`);
        process.exitCode = EXIT.usage;
      };
      let severity;
      try {
        severity = readConfig(flags.config).severity;
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        fail(error.message);
        return;
      }
      // Loaded only here: @kubernetes/client-node is large and `check` never needs it.
      const { ClusterReadError, loadKubeConfig, readCluster } = await import('../webhook/audit/read.ts');
      const { auditObjects } = await import('../webhook/audit/judge.ts');
      try {
        const kc = loadKubeConfig(flags.kubeconfig, flags.context);
        const audit = auditObjects(await readCluster(kc), severity);
        const findings = audit.findings.map((a) => a.finding);
        const notices: string[] = [];
        if (flags.policyReports === true) {
          const { policyReports } = await import('../webhook/audit/policy-reports.ts');
          const { writePolicyReports } = await import('../webhook/audit/write-reports.ts');
          const written = await writePolicyReports(kc, policyReports(audit.findings, new Date()));
          notices.push(...written.written.map((r) => `wrote ${r}`), ...written.deleted.map((r) => `deleted ${r} (no finding left there)`));
        }
        const report: CheckReport = { findings, summary: summarise(audit.objects, findings), notices };
        process.stdout.write(flags.output === 'json' ? jsonReport(report) : textReport(report, 'audited'));
        process.exitCode = report.summary.deny > 0 ? EXIT.denied : EXIT.ok;
      } catch (error) {
        if (!(error instanceof ClusterReadError)) throw error;
        fail(error.message);
      }
    });
}
