/**
 * The quorum judgement on a member count, shared by the StatefulSet, Scale and HPA checks
 * and by the generator (which refuses an even size with these exact words).
 *
 * Galera keeps accepting writes only while a strict majority of members see each other.
 * With an even count a clean split (2+2) leaves no majority and every member stops.
 */
import type { RawFinding } from './types.ts';

export const ODD_MEMBERS = 'a Galera cluster needs an odd number of members (1, 3, 5, ...) to keep quorum when the network splits';

/**
 * How many of `members` can be down at once while the rest still hold a strict majority:
 * (n - 1) / 2 rounded down, so 1 of 3, 2 of 5, 3 of 7.
 */
export function tolerableLosses(members: number): number {
  return Math.max(0, Math.floor((members - 1) / 2));
}

export function memberCountFindings(count: number, path: string): RawFinding[] {
  if (count === 0) {
    return [
      {
        path,
        severity: 'warn',
        message: `${path} is 0; this is a full stop of the Galera cluster and the next start needs a bootstrap from the member with the latest data: scale back to the previous odd count when the maintenance is done`,
      },
    ];
  }
  if (count === 1) {
    return [
      {
        path,
        severity: 'warn',
        message: `${path} is 1; a single Galera member has no fault tolerance: use 3 or more members outside development`,
      },
    ];
  }
  if (count % 2 === 0) {
    return [
      {
        path,
        message: `${path} is ${count}; ${ODD_MEMBERS}: set it to ${count - 1} or ${count + 1}`,
      },
    ];
  }
  return [];
}
