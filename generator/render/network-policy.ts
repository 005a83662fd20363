/**
 * The members' NetworkPolicy: Galera's own ports (replication 4567, incremental transfer
 * 4568, state transfer 4444, start.sh's election report 3307) only from other members;
 * clients on 3306 from the namespaces the spec names (any namespace by default); the
 * exporter's port only from the monitoring namespace. Egress stays open: members resolve
 * peers through cluster DNS and reach each other on the same ports. A CNI that does not
 * enforce NetworkPolicy (the test node's bridge plugin, for one) ignores it.
 */
import type { ClusterSpec } from '../spec-types.ts';
import { labels, METRICS_PORT, PORTS, selector } from './names.ts';

const tcp = (port: number): Record<string, unknown> => ({ protocol: 'TCP', port });
const namespaceIs = (name: string): Record<string, unknown> => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });

export function networkPolicy(spec: ClusterSpec, annotations: Record<string, string>): Record<string, unknown> {
  const policy = spec.networkPolicy;
  const members = PORTS.filter((p) => p.name !== 'mysql').map((p) => tcp(p.port));
  const clients = policy.clientNamespaces === undefined
    ? {}
    // The members' own namespace always: the election and probes connect to 3306 as peers.
    : { from: [{ podSelector: { matchLabels: selector(spec) } }, ...policy.clientNamespaces.map(namespaceIs)] };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: spec.name, labels: labels(spec), annotations },
    spec: {
      podSelector: { matchLabels: selector(spec) },
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ podSelector: { matchLabels: selector(spec) } }], ports: members },
        { ...clients, ports: [tcp(3306)] },
        ...(spec.metrics.enabled ? [{ from: [namespaceIs(policy.monitoringNamespace)], ports: [tcp(METRICS_PORT)] }] : []),
      ],
    },
  };
}
