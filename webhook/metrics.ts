/** Prometheus metrics: reviews by operation, kind, verdict and rule; latency; in flight. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  reviews: Counter<'endpoint' | 'operation' | 'kind' | 'verdict'>;
  findings: Counter<'rule' | 'severity' | 'verdict'>;
  latency: Histogram<'endpoint'>;
  inFlight: Gauge;
}

export function createMetrics(defaults = true): Metrics {
  const registry = new Registry();
  if (defaults) collectDefaultMetrics({ register: registry, prefix: 'galera_gitops_' });
  return {
    registry,
    reviews: new Counter({ name: 'galera_gitops_reviews_total', help: 'Admission reviews answered, by endpoint, operation, kind and verdict.', labelNames: ['endpoint', 'operation', 'kind', 'verdict'], registers: [registry] }),
    findings: new Counter({ name: 'galera_gitops_findings_total', help: 'Findings reported in admission reviews, by rule, severity and verdict of the review.', labelNames: ['rule', 'severity', 'verdict'], registers: [registry] }),
    // Buckets around what matters: the apiserver's default timeout is 10 s, our goal p99 < 5 ms.
    latency: new Histogram({ name: 'galera_gitops_review_duration_seconds', help: 'Time to answer an admission review.', labelNames: ['endpoint'], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 1, 5], registers: [registry] }),
    inFlight: new Gauge({ name: 'galera_gitops_requests_in_flight', help: 'Admission reviews being answered now.', registers: [registry] }),
  };
}
