/** `galera-gitops check [PATH ...]`: the catalogue on manifests, for CI and pre-commit. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { githubReport } from './report-github.ts';
import { jsonReport } from './report-json.ts';
import { sarifReport } from './report-sarif.ts';
import { textReport } from './report-text.ts';
import { InputError } from './input-error.ts';
import { DEFAULT_LIMITS, formatLimit, parseSize } from './limits.ts';
import { readAtMost } from './read.ts';
import { checkInputs, type CheckReport } from './run.ts';

/** Exit codes: 0 no deny finding, 1 at least one, 2 usage error or unreadable input. */
export const EXIT = { ok: 0, denied: 1, usage: 2 } as const;

const FORMATS = ['text', 'json', 'sarif', 'github'] as const;
type Format = (typeof FORMATS)[number];

export function checkCommand(version: string): Command {
  return new Command('check')
    .description('check Kubernetes manifests against the Galera rule catalogue')
    .argument('[paths...]', 'YAML or JSON files, folders (searched recursively), or - for standard input')
    .addOption(new Option('-o, --output <format>', 'output format').choices(FORMATS).default('text'))
    .addOption(
      new Option('--max-input-size <size>', 'largest file or standard input to read, in bytes or KiB, MiB, GiB')
        .argParser(sizeOption)
        .default(DEFAULT_LIMITS.maxInputBytes, formatLimit(DEFAULT_LIMITS.maxInputBytes)),
    )
    .addOption(
      new Option('--max-total-size <size>', 'most bytes to read in all, in bytes or KiB, MiB, GiB')
        .argParser(sizeOption)
        .default(DEFAULT_LIMITS.maxTotalBytes, formatLimit(DEFAULT_LIMITS.maxTotalBytes)),
    )
    .addHelpText(
      'after',
      `\nInput over a size limit, or nested deeper than ${DEFAULT_LIMITS.maxDepth} levels of mappings and sequences, is refused with exit 2.` +
        '\nExit codes: 0 no deny finding, 1 at least one deny finding, 2 usage error or unreadable input.',
    )
    .action((paths: string[], options: { output: Format; maxInputSize: number; maxTotalSize: number }) => {
      if (paths.length === 0) {
        process.stderr.write('galera-gitops check: give one or more files or folders, or - to read standard input\n');
        process.exitCode = EXIT.usage;
        return;
      }
      let report: CheckReport;
      try {
        const limits = { ...DEFAULT_LIMITS, maxInputBytes: options.maxInputSize, maxTotalBytes: options.maxTotalSize };
        report = checkInputs(paths, (maxBytes) => readAtMost(0, maxBytes), {}, limits);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        process.stderr.write(`galera-gitops check: ${error.message}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      if (report.summary.objects === 0) {
        // Empty input is almost always a broken pipeline (a `kustomize build` that failed
        // and printed nothing); passing it would hide that.
        for (const notice of report.notices) process.stderr.write(`note: ${notice}\n`);
        process.stderr.write(`galera-gitops check: no Kubernetes objects found in ${paths.join(', ')}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      process.stdout.write(render(report, options.output, version));
      process.exitCode = report.summary.deny > 0 ? EXIT.denied : EXIT.ok;
    });
}

function sizeOption(text: string): number {
  const bytes = parseSize(text);
  if (bytes === undefined) throw new InvalidArgumentError('expected a whole number of bytes, or of KiB, MiB or GiB, e.g. 128MiB');
  return bytes;
}

function render(report: CheckReport, format: Format, version: string): string {
  switch (format) {
    case 'json':
      return jsonReport(report);
    case 'sarif':
      return sarifReport(report, version);
    case 'github':
      return githubReport(report);
    case 'text':
      return textReport(report);
  }
}
