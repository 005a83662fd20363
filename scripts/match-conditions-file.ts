/**
 * The chart's copy of the admission filter (charts/galera-gitops-webhook/files/
 * match-conditions.json), rendered from the catalogue's detection code. The chart reads it
 * with .Files.Get; a test fails when it is stale (`npm run chart:match-conditions`).
 */
import { join } from 'node:path';
import { mutatingMatchConditions, validatingMatchConditions } from '../policies/index.ts';

export const MATCH_CONDITIONS_FILE = join(import.meta.dirname, '..', 'charts', 'galera-gitops-webhook', 'files', 'match-conditions.json');

export function renderMatchConditionsFile(): string {
  return `${JSON.stringify({ validate: validatingMatchConditions(), mutate: mutatingMatchConditions() }, null, 2)}\n`;
}
