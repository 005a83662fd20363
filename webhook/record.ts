/**
 * What a review leaves behind: its metrics (bounded labels, metrics.ts) and one JSON log
 * line with its uid, kind, name, verdict, rules and duration, never the object's body.
 */
import type { AdmissionRequest } from './admission.ts';
import type { Decision } from './judge.ts';
import type { Logger } from './log.ts';
import { kindLabel, type Metrics } from './metrics.ts';

export function recordReview(options: { logger: Logger; metrics: Metrics }, endpoint: 'validate' | 'mutate', request: AdmissionRequest, decision: Decision, seconds: number): void {
  const kind = request.kind.kind;
  options.metrics.latency.observe({ endpoint, verdict: decision.verdict }, seconds);
  options.metrics.reviews.inc({ endpoint, operation: request.operation, kind: kindLabel(kind), verdict: decision.verdict });
  for (const f of decision.findings) options.metrics.findings.inc({ rule: f.rule, severity: f.waived === undefined ? f.severity : 'waived', verdict: decision.verdict });
  const waived = decision.findings.filter((f) => f.waived !== undefined);
  options.logger.info(
    {
      uid: request.uid,
      endpoint,
      operation: request.operation,
      // A client may send anything: no field of a log line grows without bound.
      kind: kind.slice(0, 253),
      namespace: request.namespace.slice(0, 253),
      name: request.name.slice(0, 253),
      subResource: request.subResource,
      dryRun: request.dryRun,
      user: request.username.slice(0, 253),
      verdict: decision.verdict,
      mode: decision.mode,
      rules: decision.findings.filter((f) => f.waived === undefined).map((f) => `${f.rule}:${f.severity}`),
      ...(waived.length > 0 ? { waived: waived.map((f) => ({ rule: f.rule, reason: f.waived })) } : {}),
      ...(decision.note === undefined ? {} : { note: decision.note }),
      durationMs: Math.round(seconds * 1e6) / 1e3,
    },
    'review',
  );
}
