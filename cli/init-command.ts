/** `galera-gitops init`: a commented example spec to start from. */
import { Command } from 'commander';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { packageRoot } from '../generator/render/package-root.ts';
import { EXIT } from './check/command.ts';

export function initCommand(): Command {
  return new Command('init')
    .description('write a commented example cluster spec')
    .argument('[file]', 'where to write it', 'cluster.galera.yaml')
    .action((file: string) => {
      if (existsSync(file)) {
        process.stderr.write(`galera-gitops init: ${file} already exists; choose another name\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      const root = packageRoot();
      const schema = relative(dirname(resolve(file)), join(root, 'schemas', 'galera-cluster.schema.json')).split('\\').join('/');
      const example = readFileSync(join(root, 'examples', 'orders-db.galera.yaml'), 'utf8').replace(/^# yaml-language-server: \$schema=.*$/m, `# yaml-language-server: $schema=${schema}`);
      writeFileSync(file, example);
      process.stdout.write(`wrote ${file}: edit it, then run galera-gitops generate -f ${file}\n`);
    });
}
