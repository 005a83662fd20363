#!/usr/bin/env node
/** The `galera-gitops` command line: one program, one sub-command per front end. */
import { Command, CommanderError } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { auditCommand } from './audit-command.ts';
import { checkCommand, EXIT } from './check/command.ts';
import { exportCommand } from './export-command.ts';
import { generateCommand } from './generate-command.ts';
import { initCommand } from './init-command.ts';
import { restoreJobCommand } from './restore-job-command.ts';
import { serveCommand } from './serve-command.ts';

const program = new Command('galera-gitops')
  .description('Galera cluster invariants for Kubernetes GitOps')
  .version(pkg.version)
  .exitOverride()
  .showHelpAfterError();
program.addCommand(generateCommand());
program.addCommand(checkCommand(pkg.version));
program.addCommand(auditCommand());
program.addCommand(exportCommand());
program.addCommand(initCommand());
program.addCommand(restoreJobCommand());
program.addCommand(serveCommand());
for (const command of program.commands) command.exitOverride();

try {
  // A bare `galera-gitops` is a usage error: it says what to run instead, on stderr, exit 2.
  if (process.argv.length <= 2) {
    process.stderr.write(program.helpInformation());
    process.exitCode = EXIT.usage;
  } else await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    const clean = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code);
    process.exitCode = clean ? EXIT.ok : EXIT.usage;
  } else {
    process.stderr.write(`galera-gitops: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT.usage;
  }
}
