/** `galera-gitops generate`: cluster specs to Kustomize trees. */
import { Command } from 'commander';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { planAll } from '../generator/generate.ts';
import { SpecError } from '../generator/spec.ts';
import { apply, diff, isClean, OwnershipError } from '../generator/write.ts';
import { EXIT } from './check/command.ts';

function defaultSpecs(): string[] {
  return readdirSync('.').filter((f) => f.endsWith('.galera.yaml')).sort();
}

export function generateCommand(): Command {
  return new Command('generate')
    .description('write Kustomize overlays, Argo CD and Flux objects for Galera cluster specs')
    .option('-f, --file <spec...>', 'cluster spec files (default: *.galera.yaml in the current folder)')
    .option('-o, --output <dir>', 'output folder; each cluster goes to <dir>/<name>/', 'overlays')
    .option('--check', 'write nothing; exit 1 with a unified diff when the output is stale')
    .addHelpText('after', '\nExit codes: 0 written or up to date, 1 stale (--check), 2 invalid spec, usage error or a file it will not overwrite.')
    .action((options: { file?: string[]; output: string; check?: boolean }) => {
      const files = options.file ?? defaultSpecs();
      if (files.length === 0) {
        process.stderr.write('galera-gitops generate: no spec given and no *.galera.yaml here; pass -f SPEC (galera-gitops init writes one)\n');
        process.exitCode = EXIT.usage;
        return;
      }
      try {
        const plans = planAll(files, options.output);
        for (const { warnings } of plans) for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
        if (options.check === true) {
          const stale = plans.filter((c) => !isClean(c.plan));
          for (const c of stale) process.stdout.write(diff(c.plan));
          for (const c of plans) process.stderr.write(`${c.spec.name}: ${isClean(c.plan) ? 'up to date' : `stale (${c.plan.write.size} to write, ${c.plan.remove.length} to remove): run galera-gitops generate`}\n`);
          process.exitCode = stale.length > 0 ? EXIT.denied : EXIT.ok;
          return;
        }
        for (const c of plans) {
          apply(c.plan);
          const p = c.plan;
          for (const path of [...p.write.keys()].sort()) process.stdout.write(`wrote ${join(p.root, path)}\n`);
          for (const path of p.remove) process.stdout.write(`removed ${join(p.root, path)}\n`);
          for (const path of [...p.scaffold.keys()].sort()) process.stdout.write(`created ${join(p.root, path)} (yours to edit; never regenerated)\n`);
          process.stdout.write(`${c.spec.name}: ${p.write.size} written, ${p.unchanged.length} unchanged, ${p.remove.length} removed, ${c.spec.environments.length} environments\n`);
        }
      } catch (error) {
        if (!(error instanceof SpecError) && !(error instanceof OwnershipError)) throw error;
        process.stderr.write(`${error.message.split('\n').map((l) => `galera-gitops generate: ${l}`).join('\n')}\n`);
        process.exitCode = EXIT.usage;
      }
    });
}
