/**
 * The wgpolicyk8s.io/v1alpha2 PolicyReport and ClusterPolicyReport CRDs, for the audit
 * tests. Upstream ships them in sigs.k8s.io/wg-policy-prototypes (policy-report/crd/v1alpha2),
 * but the Go module proxy these machines reach refuses that module (403 "This module
 * version is not available" for every version), so scripts/tools.sh cannot pin it. This
 * is the same structural schema, written from the v1alpha2 API types: the fields and
 * enums of a report and its results, and no unknown field preserved, so the apiserver
 * prunes (and a test then sees missing) anything the upstream schema would not hold.
 */
const str = { type: 'string' };
const reference = { type: 'object', properties: { apiVersion: str, kind: str, name: str, namespace: str, uid: str, resourceVersion: str, fieldPath: str } };
const selector = {
  type: 'object',
  properties: {
    matchLabels: { type: 'object', additionalProperties: str },
    matchExpressions: { type: 'array', items: { type: 'object', required: ['key', 'operator'], properties: { key: str, operator: str, values: { type: 'array', items: str } } } },
  },
};
const result = {
  type: 'object',
  required: ['policy'],
  properties: {
    source: str,
    policy: str,
    rule: str,
    category: str,
    severity: { type: 'string', enum: ['critical', 'high', 'low', 'medium', 'info'] },
    timestamp: { type: 'object', required: ['seconds', 'nanos'], properties: { seconds: { type: 'integer', format: 'int64' }, nanos: { type: 'integer', format: 'int32' } } },
    result: { type: 'string', enum: ['pass', 'fail', 'warn', 'error', 'skip'] },
    scored: { type: 'boolean' },
    resources: { type: 'array', items: reference },
    resourceSelector: selector,
    message: str,
    properties: { type: 'object', additionalProperties: str },
  },
};
const int = { type: 'integer' };

function crd(kind: 'PolicyReport' | 'ClusterPolicyReport', plural: string, namespaced: boolean): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.wgpolicyk8s.io` },
    spec: {
      group: 'wgpolicyk8s.io',
      names: { kind, listKind: `${kind}List`, plural, singular: plural.replace(/s$/, '') },
      scope: namespaced ? 'Namespaced' : 'Cluster',
      versions: [
        {
          name: 'v1alpha2',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                apiVersion: str,
                kind: str,
                metadata: { type: 'object' },
                scope: reference,
                scopeSelector: selector,
                summary: { type: 'object', properties: { pass: int, fail: int, warn: int, error: int, skip: int } },
                results: { type: 'array', items: result },
              },
            },
          },
        },
      ],
    },
  };
}

/** Both CRDs as one multi-document manifest for `kubectl apply -f -`. */
export function policyReportCrds(): string {
  return [crd('PolicyReport', 'policyreports', true), crd('ClusterPolicyReport', 'clusterpolicyreports', false)].map((c) => JSON.stringify(c)).join('\n---\n');
}
