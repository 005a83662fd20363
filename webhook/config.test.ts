import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, DEFAULT_CONFIG, parseConfig } from './config.ts';

describe('parseConfig', () => {
  it('reads mode, severities, exemptions and the unknown-parent policy', () => {
    assert.deepEqual(parseConfig('mode: warn\nseverity:\n  termination-grace: deny\n  plaintext-credentials: off\nexemptNamespaces: [kube-system, galera-gitops]\nunknownParent: allow\n', 'p.yaml'), {
      mode: 'warn',
      severity: { 'termination-grace': 'deny', 'plaintext-credentials': 'off' },
      exemptNamespaces: ['kube-system', 'galera-gitops'],
      unknownParent: 'allow',
      auditIntervalSeconds: 0,
    });
  });

  it('defaults everything an empty file leaves out', () => {
    assert.deepEqual(parseConfig('', 'p.yaml'), DEFAULT_CONFIG);
  });

  it('names file, line and field of a mistake', () => {
    const message = (text: string): string => {
      try {
        parseConfig(text, 'p.yaml');
      } catch (error) {
        if (error instanceof ConfigError) return error.message;
      }
      return 'accepted';
    };
    assert.equal(message('mode: enforce\nseverity:\n  odd-replica: warn\n'), 'p.yaml:3: severity.odd-replica: not a rule of the catalogue (odd-replicas, governing-service, rwo-storage, ordered-ready, stable-identity, termination-grace, readiness-probe, update-strategy, disruption-budget, pinned-image, plaintext-credentials, removed-api, waiver-syntax)');
    assert.equal(message('severity:\n  odd-replicas: maybe\n'), 'p.yaml:2: severity.odd-replicas: must be one of deny, warn, off');
    assert.equal(message('mood: warn\n'), 'p.yaml:1: (top level): unknown field mood (known: mode, severity, exemptNamespaces, unknownParent, auditIntervalSeconds)');
    assert.match(message('auditIntervalSeconds: 30\n'), /^p\.yaml:1: auditIntervalSeconds: /);
    assert.equal(parseConfig('auditIntervalSeconds: 600\n', 'p.yaml').auditIntervalSeconds, 600);
  });
});
