/** `galera-gitops restore-job`: the manifests that restore an environment from one of its backups. */
import { Command } from 'commander';
import { stringify } from 'yaml';
import { readSpec } from '../generator/generate.ts';
import { restoreDocs } from '../generator/render/restore.ts';
import { SpecError } from '../generator/spec.ts';
import { EXIT } from './check/command.ts';

const BACKUP = /^[a-z0-9][-a-z0-9]*-\d{8}T\d{6}Z(\.mbstream\.gz)?$/;

export function restoreJobCommand(): Command {
  return new Command('restore-job')
    .description("print the Job (and member 0's claim) that fills an environment's first member from a backup; apply it, then start the environment")
    .requiredOption('-f, --file <spec>', 'the cluster spec')
    .requiredOption('--env <environment>', 'the environment to restore (its StatefulSet and claims deleted first)')
    .requiredOption('--backup <name>', 'the backup, as listed where backups are kept (<name>-<UTC time>.mbstream.gz)')
    .option('--image <ref>', "the server image, when the environment's overlay replaces the spec's (kustomize images:)")
    .addHelpText('after', '\nExit codes: 0 printed, 2 invalid spec, unknown environment, an environment without backups, or a bad backup name.\nSee docs/backups.md for the whole procedure.')
    .action((options: { file: string; env: string; backup: string; image?: string }) => {
      const fail = (message: string): void => {
        process.stderr.write(`galera-gitops restore-job: ${message}\n`);
        process.exitCode = EXIT.usage;
      };
      try {
        const spec = readSpec(options.file);
        const env = spec.environments.find((e) => e.name === options.env);
        const problem =
          env === undefined
            ? `${options.file}: no environment ${JSON.stringify(options.env)}; there are ${spec.environments.map((e) => e.name).join(', ')}`
            : spec.backup === undefined || !env.backup
              ? `${options.file}: environment ${env.name} has no backups (backup block, environments.${env.name}.backup)`
              : !BACKUP.test(options.backup) || !options.backup.startsWith(`${spec.name}-`)
                ? `--backup ${JSON.stringify(options.backup)} is not a backup of ${spec.name} (${spec.name}-<YYYYMMDDTHHMMSSZ>.mbstream.gz)`
                : undefined;
        if (problem !== undefined || env === undefined) {
          fail(problem ?? '');
          return;
        }
        process.stdout.write(restoreDocs(options.image === undefined ? spec : { ...spec, image: options.image }, env, options.backup).map((d) => stringify(d, { lineWidth: 0, blockQuote: 'literal' })).join('---\n'));
      } catch (error) {
        if (!(error instanceof SpecError)) throw error;
        fail(error.message);
      }
    });
}
