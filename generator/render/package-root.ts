/** The folder of our package.json, from source (`generator/render`) or build (`dist/generator/render`). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = import.meta.dirname;
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && existsSync(join(dir, 'generator', 'scripts')) && (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'galera-gitops') {
      cached = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('galera-gitops: cannot find the package folder (generator/scripts is missing)');
    dir = parent;
  }
}
