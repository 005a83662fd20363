/**
 * Prometheus metrics an SRE can alert on, with bounded label values only: a client decides
 * what it sends, so a kind outside the webhook's own list is `other`, and every other label
 * comes from a fixed set (endpoint, operation, verdict, rule, status code, reason).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The kinds the webhook is registered for; anything else a client claims is `other`. */
export const KNOWN_KINDS = ['StatefulSet', 'Deployment', 'ReplicaSet', 'DaemonSet', 'ReplicationController', 'Pod', 'Service', 'PersistentVolumeClaim', 'HorizontalPodAutoscaler', 'Scale'] as const;
const KINDS: ReadonlySet<string> = new Set(KNOWN_KINDS);
export const kindLabel = (kind: string): string => (KINDS.has(kind) ? kind : 'other');

const ENDPOINTS: ReadonlySet<string> = new Set(['/validate', '/mutate', '/healthz', '/readyz', '/metrics']);
/** `validate`, `mutate`, `healthz`, `readyz`, `metrics`, or `other` for any other path. */
export const endpointLabel = (path: string): string => (ENDPOINTS.has(path) ? path.slice(1) : 'other');

export interface Metrics {
  registry: Registry;
  reviews: Counter<'endpoint' | 'operation' | 'kind' | 'verdict'>;
  findings: Counter<'rule' | 'severity' | 'verdict'>;
  /** Time from the request to its answer, by endpoint and verdict. */
  latency: Histogram<'endpoint' | 'verdict'>;
  /** Every HTTP answer by endpoint and status code: 4xx and 5xx included. */
  responses: Counter<'endpoint' | 'code'>;
  /** Reviews turned away by a cap, by which cap. */
  rejected: Counter<'reason'>;
  inFlight: Gauge;
  bytesInFlight: Gauge;
  /** 1 while the cluster cache is stale (reviews judge objects alone). */
  cacheStale: Gauge;
  /** Seconds since each watched kind was last known to be in sync with the apiserver. */
  cacheAge: Gauge<'kind'>;
  /** When the serving certificate expires (Unix seconds). */
  certificateExpiry: Gauge;
  /** Log lines dropped because stdout did not take them (log.ts). */
  logLinesDropped: Counter;
}

export function createMetrics(defaults = true): Metrics {
  const registry = new Registry();
  if (defaults) collectDefaultMetrics({ register: registry, prefix: 'galera_gitops_' });
  const registers = [registry];
  return {
    registry,
    reviews: new Counter({ name: 'galera_gitops_reviews_total', help: 'Admission reviews answered, by endpoint, operation, kind (other for kinds the webhook is not registered for) and verdict.', labelNames: ['endpoint', 'operation', 'kind', 'verdict'], registers }),
    findings: new Counter({ name: 'galera_gitops_findings_total', help: 'Findings reported in admission reviews, by rule, severity and verdict of the review.', labelNames: ['rule', 'severity', 'verdict'], registers }),
    // Buckets around what matters: the goal p99 < 5 ms, the apiserver's default timeout 10 s.
    latency: new Histogram({ name: 'galera_gitops_review_duration_seconds', help: 'Time from an admission request to its answer, body read included, by endpoint and verdict.', labelNames: ['endpoint', 'verdict'], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 1, 5, 10], registers }),
    responses: new Counter({ name: 'galera_gitops_http_responses_total', help: 'HTTP answers by endpoint and status code (400 malformed, 408 too slow, 413 too large, 415 not JSON, 429 over a cap, 500 internal error).', labelNames: ['endpoint', 'code'], registers }),
    rejected: new Counter({ name: 'galera_gitops_rejected_reviews_total', help: 'Reviews answered 429 because a cap was reached: reviews (reviews in flight) or bytes (request bytes in flight).', labelNames: ['reason'], registers }),
    inFlight: new Gauge({ name: 'galera_gitops_requests_in_flight', help: 'Admission reviews being read or judged now.', registers }),
    bytesInFlight: new Gauge({ name: 'galera_gitops_request_bytes_in_flight', help: 'Bytes of admission request bodies held now.', registers }),
    cacheStale: new Gauge({ name: 'galera_gitops_cache_stale', help: '1 while the cluster cache has not been in sync for longer than the staleness bound: cross-object rules then see nothing.', registers }),
    cacheAge: new Gauge({ name: 'galera_gitops_cache_age_seconds', help: 'Seconds since each watched kind was last known to be in sync with the apiserver (0 while its watch is healthy).', labelNames: ['kind'], registers }),
    certificateExpiry: new Gauge({ name: 'galera_gitops_certificate_expiry_timestamp_seconds', help: 'When the serving certificate expires, in Unix seconds.', registers }),
    logLinesDropped: new Counter({ name: 'galera_gitops_log_lines_dropped_total', help: 'Log lines dropped because stdout did not take them and 4 MiB of lines were already waiting (a stalled log pipeline).', registers }),
  };
}
