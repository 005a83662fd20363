/** Where the project is, for harnesses that build, cache or run its files. */
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
/** The built command line (`npm run build`). */
export const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
