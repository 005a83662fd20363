/** scripts/tools.sh gives the pinned versions it promises. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { tools } from './support/tools.ts';

const run = (bin: string, ...args: string[]): string => {
  const r = spawnSync(bin, args, { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`;
};

describe('pinned tools', () => {
  it('kustomize v5.8.2, kubectl and kube-apiserver v1.37.2, etcd 3.7.0, helm v3.22.0', () => {
    const t = tools();
    assert.match(run(t.kustomize, 'version'), /^v5\.8\.2/);
    assert.match(run(t.kubectl, 'version', '--client'), /Client Version: v1\.37\.2/);
    assert.match(run(t.kubeApiserver, '--version'), /Kubernetes v1\.37\.2/);
    assert.match(run(t.etcd, '--version'), /etcd Version: 3\.7\.0/);
    assert.match(run(t.helm, 'version', '--short'), /^v3\.22\.0/);
  });
});
