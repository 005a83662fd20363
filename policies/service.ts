/**
 * What makes a Service fit to govern a Galera StatefulSet, shared by the rule (both from
 * the StatefulSet's and from the Service's side) and by the webhook's mutation.
 *
 * Peers must find each other through DNS before they are Ready: a joiner is not Ready
 * until it has synced, and it cannot sync without finding its peers. So the governing
 * Service is headless (one DNS record per member) and publishes not-ready addresses.
 */
import { galeraStatefulSets, galeraWords, CLUSTER_LABEL, REPLICATION_PORTS } from './detect.ts';
import { annotationsOf, at, int, labelsOf, records, show, str } from './object.ts';
import type { KubeObject, Related } from './types.ts';

export const TOLERATE_UNREADY = 'service.alpha.kubernetes.io/tolerate-unready-endpoints';

export interface ServiceProblem {
  path: string;
  /** The value found and why it breaks Galera. */
  problem: string;
  fix: string;
}

export function serviceProblems(service: KubeObject): ServiceProblem[] {
  const problems: ServiceProblem[] = [];
  const clusterIP = str(at(service, 'spec', 'clusterIP'));
  if (clusterIP !== 'None') {
    problems.push({
      path: 'spec.clusterIP',
      problem: `spec.clusterIP is ${clusterIP === undefined || clusterIP === '' ? 'not set (a virtual IP is allocated)' : JSON.stringify(clusterIP)}; a Galera governing Service must be headless so that each member gets its own DNS name`,
      fix: 'set spec.clusterIP: None (clusterIP cannot change in place: delete and recreate the Service)',
    });
  }
  if (at(service, 'spec', 'publishNotReadyAddresses') !== true) {
    const annotated = annotationsOf(service)[TOLERATE_UNREADY] === 'true';
    problems.push({
      path: 'spec.publishNotReadyAddresses',
      problem: annotated
        ? `spec.publishNotReadyAddresses is not set and the deprecated annotation ${TOLERATE_UNREADY} alone does nothing on current Kubernetes (EndpointSlices, which cluster DNS reads, ignore it since 1.11 made the field its replacement); joining members are not Ready until they have synced and cannot sync without finding their peers in DNS`
        : `spec.publishNotReadyAddresses is ${show(at(service, 'spec', 'publishNotReadyAddresses') ?? false)}; joining Galera members are not Ready until they have synced and cannot sync without finding their peers in DNS`,
      fix: 'set spec.publishNotReadyAddresses: true',
    });
  }
  return problems;
}

/**
 * Why a Service is a Galera peer Service, or undefined: it governs a Galera StatefulSet
 * that is visible, or it is headless and carries our label, a Galera replication port or a
 * Galera name (a client Service on 3306 is not a peer Service and is not judged). The
 * webhook often sees the Service before its StatefulSet (kustomize and Argo CD apply
 * Services first), so the Service's own signals matter.
 */
export function galeraServiceReason(service: KubeObject, related: Related): string | undefined {
  const namespace = str(service.metadata.namespace) ?? '';
  const name = str(service.metadata.name) ?? '';
  for (const { sts, verdict } of galeraStatefulSets(related, namespace)) {
    if (str(at(sts, 'spec', 'serviceName')) === name) {
      return `governs Galera StatefulSet ${JSON.stringify(str(sts.metadata.name) ?? '')} (${verdict.signals[0] ?? 'Galera'})`;
    }
  }
  if (str(at(service, 'spec', 'clusterIP')) !== 'None') return undefined;
  const label = labelsOf(service)[CLUSTER_LABEL];
  if (label !== undefined) return `headless Service with label ${CLUSTER_LABEL}=${label}`;
  if (galeraWords(name)) return `headless Service named ${JSON.stringify(name)}`;
  for (const port of records(at(service, 'spec', 'ports'))) {
    const number = int(port.port) ?? int(port.targetPort);
    if (number !== undefined && (REPLICATION_PORTS as readonly number[]).includes(number)) {
      return `headless Service exposing Galera replication port ${number}`;
    }
  }
  return undefined;
}

