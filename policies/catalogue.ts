/** Every rule, in the order findings and docs list them. */
import { disruptionBudget } from './rules/disruption-budget.ts';
import { governingService } from './rules/governing-service.ts';
import { oddReplicas } from './rules/odd-replicas.ts';
import { orderedReady } from './rules/ordered-ready.ts';
import { pinnedImage } from './rules/pinned-image.ts';
import { plaintextCredentials } from './rules/plaintext-credentials.ts';
import { readinessProbe } from './rules/readiness-probe.ts';
import { removedApi } from './rules/removed-api.ts';
import { rwoStorage } from './rules/rwo-storage.ts';
import { stableIdentity } from './rules/stable-identity.ts';
import { terminationGrace } from './rules/termination-grace.ts';
import { updateStrategy } from './rules/update-strategy.ts';
import { waiverRuleIds, waiverSyntax } from './rules/waiver-syntax.ts';
import type { Rule } from './types.ts';

export const CATALOGUE: readonly Rule[] = [
  oddReplicas,
  governingService,
  rwoStorage,
  orderedReady,
  stableIdentity,
  terminationGrace,
  readinessProbe,
  updateStrategy,
  disruptionBudget,
  pinnedImage,
  plaintextCredentials,
  removedApi,
  waiverSyntax,
];

waiverRuleIds.push(...CATALOGUE.map((r) => r.id));

export const RULE_IDS: readonly string[] = CATALOGUE.map((r) => r.id);

export function ruleById(id: string): Rule | undefined {
  return CATALOGUE.find((r) => r.id === id);
}
