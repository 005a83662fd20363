/**
 * components/: optional features as kustomize Components. Spreading keeps a node or zone
 * failure from taking more than one member: 3 members on 2 nodes (or in 2 zones) lose
 * quorum when the bigger one fails.
 */
import type { ClusterSpec } from '../spec-types.ts';
import { selector } from './names.ts';
import { yamlDocs } from './yaml.ts';

function component(spec: ClusterSpec, comment: string, podSpec: Record<string, unknown>): string {
  return yamlDocs(spec.source, [
    {
      apiVersion: 'kustomize.config.k8s.io/v1alpha1',
      kind: 'Component',
      patches: [
        {
          target: { kind: 'StatefulSet', name: spec.name },
          patch: `${comment}\n${JSON.stringify({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: spec.name }, spec: { template: { spec: podSpec } } }, null, 2)}\n`,
        },
      ],
    },
  ]);
}

export function renderComponents(spec: ClusterSpec): Map<string, string> {
  const match = { matchLabels: selector(spec) };
  return new Map([
    [
      'components/spread-host/kustomization.yaml',
      component(spec, '# One member per node: a node failure takes at most one member.', {
        affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: match, topologyKey: 'kubernetes.io/hostname' }] } },
      }),
    ],
    [
      'components/spread-zone/kustomization.yaml',
      component(spec, '# Members spread evenly over zones and never two on one node; scheduling waits rather than break the spread.', {
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: match }],
        affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: match, topologyKey: 'kubernetes.io/hostname' }] } },
      }),
    ],
  ]);
}
