/** `galera-gitops init`: a commented spec to start from, named after the file. */
import { Command } from 'commander';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { packageRoot } from '../generator/render/package-root.ts';
import { EXIT } from './check/command.ts';

const NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The schema reference an editor can follow: the copy in the project's own node_modules
 * when galera-gitops is a dependency there, else none (a path into wherever npx unpacked
 * the tool would break on the next run).
 */
function schemaLine(file: string): string {
  const installed = join(dirname(resolve(file)), 'node_modules', 'galera-gitops', 'schemas', 'galera-cluster.schema.json');
  if (!existsSync(installed)) return '# Editor support: add galera-gitops as a dev dependency, then point $schema at node_modules/galera-gitops/schemas/galera-cluster.schema.json';
  return `# yaml-language-server: $schema=${relative(dirname(resolve(file)), installed).split('\\').join('/')}`;
}

export function initCommand(): Command {
  return new Command('init')
    .description('write a commented cluster spec to start from')
    .argument('[file]', 'where to write it; the cluster is named after it (<name>.galera.yaml)', 'cluster.galera.yaml')
    .option('--name <name>', 'the cluster name (default: the file name without .galera.yaml)')
    .action((file: string, options: { name?: string }) => {
      const name = options.name ?? basename(file).replace(/\.galera\.ya?ml$|\.ya?ml$/, '');
      if (!NAME.test(name) || name.length > 40) {
        process.stderr.write(`galera-gitops init: ${JSON.stringify(name)} is not a valid cluster name (lowercase letters, digits and "-", at most 40 characters): give --name\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      if (existsSync(file)) {
        process.stderr.write(`galera-gitops init: ${file} already exists; choose another name\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      const example = readFileSync(join(packageRoot(), 'examples', 'orders-db.galera.yaml'), 'utf8')
        .replace(/^# yaml-language-server: \$schema=.*$/m, schemaLine(file))
        .replaceAll('orders-db', name)
        .replace(/^namespace: orders$/m, `namespace: ${name}`);
      writeFileSync(file, example);
      process.stdout.write(`wrote ${file} (cluster ${name}): edit it, then run galera-gitops generate -f ${file}\n`);
    });
}
