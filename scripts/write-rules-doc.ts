/** `npm run docs:rules`: rewrites docs/rules.md from the catalogue. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderRulesDoc } from './rules-doc.ts';

writeFileSync(join(import.meta.dirname, '..', 'docs', 'rules.md'), renderRulesDoc());
