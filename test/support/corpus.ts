/**
 * The shared fixture corpus: manifests under test/fixtures/corpus, each with a
 * `<name>.expected` file that states the exact findings it must produce, one per line as
 * `LINE: verdict rule Kind ns/name path: message` (empty for a manifest with none).
 * The rule tests, the `check` command tests and the webhook parity test all read it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CORPUS_DIR = join(import.meta.dirname, '..', 'fixtures', 'corpus');

export interface CorpusEntry {
  name: string;
  file: string;
  expected: string[];
}

export function corpus(): CorpusEntry[] {
  return readdirSync(CORPUS_DIR)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => {
      const name = f.replace(/\.(ya?ml|json)$/, '');
      const expected = readFileSync(join(CORPUS_DIR, `${name}.expected`), 'utf8')
        .split('\n')
        .filter((line) => line !== '');
      return { name, file: join(CORPUS_DIR, f), expected };
    });
}
