/** `npm run chart:match-conditions`: rewrites the chart's admission filter from the catalogue. */
import { writeFileSync } from 'node:fs';
import { MATCH_CONDITIONS_FILE, renderMatchConditionsFile } from './match-conditions-file.ts';

writeFileSync(MATCH_CONDITIONS_FILE, renderMatchConditionsFile());
