/** `galera-gitops audit` refusing bad input with exit 2 and a clear message (no cluster needed). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MAIN } from './support/paths.ts';

const dir = mkdtempSync(join(tmpdir(), 'galera-audit-cli-'));
const audit = (...args: string[]): { status: number | null; stdout: string; stderr: string } => spawnSync(process.execPath, [MAIN, 'audit', ...args], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '' } });

/** A kubeconfig for a server nothing listens on (port 1 on loopback refuses at once). */
const closed = join(dir, 'closed.kubeconfig');
writeFileSync(closed, ['apiVersion: v1', 'kind: Config', 'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]', 'users: [{name: u, user: {token: t}}]', 'contexts: [{name: x, context: {cluster: c, user: u}}]', 'current-context: x', ''].join('\n'));

describe('galera-gitops audit: bad input exits 2', () => {
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  it('a kubeconfig that does not exist', () => {
    const r = audit('--kubeconfig', join(dir, 'missing'));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^galera-gitops audit: cannot load the kubeconfig .*missing: /);
    assert.equal(r.stdout, '');
  });

  it('a context the kubeconfig does not have', () => {
    const r = audit('--kubeconfig', closed, '--context', 'prod');
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'galera-gitops audit: the kubeconfig has no context "prod"\n');
  });

  it('a cluster that cannot be reached', () => {
    const r = audit('--kubeconfig', closed);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^galera-gitops audit: cannot list \w+ \([\w/]+\) from https:\/\/127\.0\.0\.1:1: .*\n$/);
  });

  it('a policy file with a mistake, before any cluster is read', () => {
    const config = join(dir, 'p.yaml');
    writeFileSync(config, 'severity:\n  odd-replica: warn\n');
    const r = audit('--kubeconfig', closed, '--config', config);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^galera-gitops audit: .*p\.yaml:2: severity\.odd-replica: not a rule of the catalogue/);
  });

  it('an unknown output format', () => {
    const r = audit('--kubeconfig', closed, '--output', 'sarif');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /argument 'sarif' is invalid. Allowed choices are text, json/);
  });
});
