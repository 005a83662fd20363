import { isRecord } from '../object.ts';
import { serverContainer } from '../server-container.ts';
import type { RawFinding, Rule, Subject } from '../types.ts';
import { podSpecOf } from '../workload.ts';
import { withServer } from '../cel.ts';

/**
 * The server container of a Galera StatefulSet has a readiness probe. What the probe runs
 * is the image's business (an exec script, a SQL check through a sidecar): this rule only
 * asks that it exists, since without one Kubernetes calls a member Ready the moment its
 * container starts.
 */
export const readinessProbe: Rule = {
  id: 'readiness-probe',
  severity: 'deny',
  title: 'The Galera server container has a readiness probe',
  why: 'A Galera member is running long before it can serve: while it joins, receives a state transfer (which can take hours) or donates one, it is alive but not Synced. Without a readiness probe Kubernetes calls it Ready as soon as the container starts, so OrderedReady starts the next member while this one is still joining (two state transfers at once, or a donor taken away), clients are routed to a member that refuses or serves stale reads, and a rolling update moves on before the member is back. The probe should pass only when the member is Synced (wsrep_local_state 4, or wsrep_ready ON).',
  fix: 'Add a readinessProbe to the server container that checks the member is Synced (for example an exec probe that passes when SHOW STATUS LIKE "wsrep_local_state" is 4), as the generated overlays do.',
  kinds: ['StatefulSet'],
  admission: { kinds: ['StatefulSet'], validations: [{ path: 'readinessProbe', expression: withServer((s) => `has(${s}.readinessProbe)`) }] },
  check(subject: Subject): readonly RawFinding[] {
    if (!subject.galera.galera) return [];
    const pod = podSpecOf(subject.object);
    const server = pod === undefined ? undefined : serverContainer(pod);
    if (server === undefined || isRecord(server.container.readinessProbe)) return [];
    return [
      {
        path: `${server.path}.readinessProbe`,
        message: `${server.path}.readinessProbe is not set on server container ${JSON.stringify(server.name)}; a joining, donating or desynced Galera member would count as Ready, so OrderedReady starts the next member too early and clients reach a member that is not Synced: add a readinessProbe that passes only when wsrep_local_state is 4 (Synced)`,
      },
    ];
  },
};
