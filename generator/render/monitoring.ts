/**
 * How Prometheus finds the members' exporters: a headless Service on the exporter's port
 * that lists members whether Ready or not (a member out of the client Service is exactly
 * the one to watch), and, with the Prometheus Operator, a ServiceMonitor and the
 * environment's PrometheusRule (alerts.ts). The rule is per environment because its
 * thresholds are that environment's member count.
 */
import type { ClusterSpec, Environment } from '../spec-types.ts';
import { alerts, metricsJob } from './alerts.ts';
import { labels, METRICS_PORT, selector } from './names.ts';

/** The label that tells the metrics Service from the client and governing ones. */
const ROLE = 'galera-gitops.io/service';

export function metricsService(spec: ClusterSpec, annotations: Record<string, string>): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: metricsJob(spec), labels: { ...labels(spec), [ROLE]: 'metrics' }, annotations: { ...annotations, 'galera-gitops.io/role': 'metrics Service: every member\'s exporter, Ready or not' } },
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: selector(spec),
      ports: [{ name: 'metrics', port: METRICS_PORT, targetPort: METRICS_PORT }],
    },
  };
}

export function monitoringDocs(spec: ClusterSpec, env: Environment, annotations: Record<string, string>): unknown[] {
  if (!spec.metrics.enabled || !spec.metrics.prometheusOperator) return [];
  const meta = { name: spec.name, labels: labels(spec), annotations };
  return [
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: meta,
      spec: {
        selector: { matchLabels: { ...selector(spec), [ROLE]: 'metrics' } },
        endpoints: [{ port: 'metrics', interval: '30s', scrapeTimeout: '10s' }],
      },
    },
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: meta,
      spec: { groups: [{ name: `galera-${spec.name}`, rules: alerts(spec, env) }] },
    },
  ];
}
