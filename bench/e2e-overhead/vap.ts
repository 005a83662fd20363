/**
 * The in-process alternative of bench/e2e-overhead: the admission policies
 * `galera-gitops export policies` writes for the default policy file (a
 * ValidatingAdmissionPolicy per rule decidable from the object alone, with its Deny and Warn
 * bindings, and the MutatingAdmissionPolicy of publishNotReadyAddresses), generated from
 * the catalogue like the webhook's rules, evaluated inside kube-apiserver with no call out.
 */
import { exportPolicies } from '../../policies/admission-policies.ts';
import { DEFAULT_CONFIG } from '../../webhook/config.ts';

/** Every exported document, as one manifest for `kubectl apply -f -` (and `delete -f -`). */
export function policiesManifest(): string {
  return exportPolicies(DEFAULT_CONFIG).documents.map((d) => JSON.stringify(d)).join('\n---\n');
}

/** The rules the policies carry, for the record. */
export function exportedRules(): string[] {
  return exportPolicies(DEFAULT_CONFIG).exported;
}
