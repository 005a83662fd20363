/**
 * The real node harness itself: it comes up Ready with the default ServiceAccount, runs a
 * pod that reaches the apiserver's Service name through CoreDNS and a headless Service's
 * pods by name, and leaves the host exactly as it found it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { differences, foreignTo, hostState, processesMentioning, type HostState } from './support/host-state.ts';
import { mariadbImage } from './support/images.ts';
import { RealNode } from './support/node.ts';
import { otherNodes } from './support/shared-dirs.ts';

describe('a real single-node Kubernetes (kubelet, containerd, CoreDNS)', { timeout: 20 * 60_000 }, () => {
  let node: RealNode | undefined;
  let beforeState: HostState;
  let othersBefore = 0;

  before(async () => {
    const image = mariadbImage();
    beforeState = hostState();
    othersBefore = otherNodes('').length;
    node = await RealNode.start();
    node.loadImage(image);
    console.log(`node timings (ms from start): ${JSON.stringify(node.timings)}; RSS (MiB): ${JSON.stringify(node.memory())}`);
  });

  after(async () => {
    await node?.stop();
  });

  it('is Ready, with the default ServiceAccount, and pods resolve Services and headless pods through CoreDNS', async () => {
    assert.ok(node);
    const n = node;
    const image = mariadbImage().ref;
    const pod = (name: string, command: string): unknown => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', labels: { app: 'dns' } },
      spec: { hostname: name, subdomain: 'dns', terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image, command: ['bash', '-c', command] }] },
    });
    n.apply([
      JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'dns', namespace: 'default' }, spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: { app: 'dns' }, ports: [{ port: 1 }] } }),
      JSON.stringify(pod('a', 'sleep 3600')),
      JSON.stringify(pod('b', 'until getent hosts a.dns.default.svc.cluster.local && getent hosts kubernetes.default.svc; do sleep 1; done; echo resolved; sleep 3600')),
    ].join('\n---\n'));
    await n.waitFor('pod b to resolve a and the apiserver', 120_000, () => n.kubectl(['logs', 'b', '-n', 'default']).stdout.includes('resolved'));
    const logs = n.kubectl(['logs', 'b', '-n', 'default']).stdout;
    const podA = n.kubectl(['get', 'pod', 'a', '-n', 'default', '-o', 'jsonpath={.status.podIP}']).stdout;
    assert.match(logs, new RegExp(`^${podA.replace(/\./g, '\\.')}\\s+a\\.dns\\.default\\.svc\\.cluster\\.local`, 'm'));
    assert.match(logs, /^10\.96\.0\.1\s+kubernetes\.default\.svc/m);
    n.kubectl(['delete', 'pod', 'a', 'b', '-n', 'default', '--wait=false']);
  });

  it('stops without leaving a process, cgroup, mount, link, route, directory, firewall rule or kernel setting behind', async () => {
    assert.ok(node);
    const { dir, id } = node;
    const stopping = Date.now();
    await node.stop();
    node = undefined;
    console.log(`node stopped in ${String(Date.now() - stopping)} ms`);
    // Nodes of other test lanes may be running; their bridge, veths and cgroup are theirs.
    const shared = othersBefore + otherNodes('').length > 0;
    assert.deepEqual(differences(beforeState, hostState(), foreignTo(id), shared), []);
    assert.deepEqual(processesMentioning(dir), []);
  });
});
