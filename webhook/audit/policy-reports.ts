/**
 * An audit as wgpolicyk8s.io/v1alpha2 PolicyReports, the format Kyverno's Policy Reporter
 * and other report UIs read: one PolicyReport named `galera-gitops` per namespace that
 * holds a finding, and one ClusterPolicyReport for cluster-scoped objects (none of the
 * kinds judged today is cluster-scoped, so it is written only if one ever is).
 *
 * Each finding is one result: `policy` and `rule` are the rule id (a report UI groups by
 * policy), `result` fail for deny, warn for warn and skip for a waived finding, `severity`
 * high for deny and medium for warn, `message` the path and the rule's words.
 */
import type { Finding } from '../../policies/index.ts';
import type { AuditedFinding } from './judge.ts';

export const REPORT_NAME = 'galera-gitops';
export const REPORT_API_VERSION = 'wgpolicyk8s.io/v1alpha2';
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'galera-gitops' } as const;

type Result = 'fail' | 'warn' | 'skip';

export interface ReportResult {
  source: string;
  policy: string;
  rule: string;
  category: string;
  result: Result;
  severity: 'high' | 'medium';
  scored: boolean;
  message: string;
  timestamp: { seconds: number; nanos: number };
  resources: { apiVersion: string; kind: string; name: string; namespace?: string; uid?: string }[];
  properties: Record<string, string>;
}

export interface PolicyReport {
  apiVersion: typeof REPORT_API_VERSION;
  kind: 'PolicyReport' | 'ClusterPolicyReport';
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  summary: { pass: number; fail: number; warn: number; error: number; skip: number };
  results: ReportResult[];
}

function resultOf(f: Finding): Result {
  if (f.waived !== undefined) return 'skip';
  return f.severity === 'deny' ? 'fail' : 'warn';
}

function toResult({ finding: f, object }: AuditedFinding, seconds: number): ReportResult {
  const uid = typeof object.metadata.uid === 'string' ? object.metadata.uid : undefined;
  const properties: Record<string, string> = { path: f.path };
  if (f.detection !== undefined) properties.detection = f.detection;
  if (f.waived !== undefined) properties.waived = f.waived;
  return {
    source: 'galera-gitops',
    policy: f.rule,
    rule: f.rule,
    category: 'Galera',
    result: resultOf(f),
    severity: f.severity === 'deny' ? 'high' : 'medium',
    scored: true,
    message: `${f.path}: ${f.message}`,
    timestamp: { seconds, nanos: 0 },
    resources: [{ apiVersion: object.apiVersion, kind: object.kind, name: f.object.name, ...(f.object.namespace === '' ? {} : { namespace: f.object.namespace }), ...(uid === undefined ? {} : { uid }) }],
    properties,
  };
}

/** The reports of one audit, sorted by namespace; the cluster-scoped one (if any) first. */
export function policyReports(findings: readonly AuditedFinding[], now: Date): PolicyReport[] {
  const seconds = Math.floor(now.getTime() / 1000);
  const byNamespace = new Map<string, ReportResult[]>();
  for (const audited of findings) {
    const namespace = audited.finding.object.namespace;
    const list = byNamespace.get(namespace) ?? [];
    list.push(toResult(audited, seconds));
    byNamespace.set(namespace, list);
  }
  return [...byNamespace.keys()].sort().map((namespace) => {
    const results = byNamespace.get(namespace) ?? [];
    const count = (r: Result): number => results.filter((x) => x.result === r).length;
    return {
      apiVersion: REPORT_API_VERSION,
      kind: namespace === '' ? 'ClusterPolicyReport' : 'PolicyReport',
      metadata: { name: REPORT_NAME, ...(namespace === '' ? {} : { namespace }), labels: { ...MANAGED_BY } },
      summary: { pass: 0, fail: count('fail'), warn: count('warn'), error: 0, skip: count('skip') },
      results,
    };
  });
}
