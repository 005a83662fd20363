/**
 * What a rule may conclude from the scope of its related objects (types.ts `Related`):
 *
 * - `bundle` (`check`, the generator): the input files; every object in them is judged, and
 *   an object that is not there may still exist in the cluster.
 * - `cluster` (the webhook): the cluster as its cache holds it, seen from the one object
 *   under review; the others were judged when they were admitted (or before the webhook).
 * - `audit` (`galera-gitops audit`): the cluster as one audit run listed it; every object
 *   is judged in the same run, and an object that is not there does not exist.
 * - `none`: nothing is visible.
 */
import type { Related } from './types.ts';

/** Every related object is judged in the same run: report its problems on it, not again here. */
export function judgedTogether(related: Related): boolean {
  return related.scope === 'bundle' || related.scope === 'audit';
}

/** The related objects are the live cluster's: one that is missing does not exist. */
export function isLive(related: Related): boolean {
  return related.scope === 'cluster' || related.scope === 'audit';
}
