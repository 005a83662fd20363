/**
 * Valid creates are never refused for want of a connection: bursts of StatefulSet creates
 * through the real kube-apiserver, separated by idle gaps around 5 s. With Node's default
 * keep-alive timeout (5 s) the webhook closed idle connections just as the apiserver's
 * client reused them, and a valid object now and then failed with `failed calling webhook`;
 * the webhook now keeps idle connections 120 s, longer than the client does (90 s), and
 * speaks HTTP/2, whose GOAWAY a client retries. Every create must succeed.
 */
import assert from 'node:assert/strict';
import { Agent, request } from 'node:https';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { TestCluster } from './support/cluster.ts';
import { sleep } from './support/processes.ts';

const ROUNDS = 20;
const PER_ROUND = 60;
const CONCURRENCY = 10;

function statefulSet(name: string): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, labels: { 'galera-gitops.io/cluster': name } },
    spec: {
      replicas: 3,
      serviceName: 'peers',
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 600, containers: [{ name: 'db', image: 'mariadb:11.4', readinessProbe: { exec: { command: ['healthcheck.sh', '--readiness'] } }, volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql' }] }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  });
}

describe('creates through the apiserver across idle gaps of about 5 s', { timeout: 10 * 60_000 }, () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start();
    cluster.apply('', 'create', 'namespace', 'keepalive');
  });

  after(() => {
    cluster.stop();
  });

  it(`${String(ROUNDS * PER_ROUND)} valid creates in ${String(ROUNDS)} bursts, each followed by 4.5-5.5 s of idleness: none fails`, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca: readFileSync(cluster.caFile) });
    const failures: string[] = [];
    let created = 0;
    const create = (name: string): Promise<void> =>
      new Promise((resolve) => {
        const req = request(
          { host: '127.0.0.1', port: cluster.apiserverPort, path: '/apis/apps/v1/namespaces/keepalive/statefulsets', method: 'POST', agent, headers: { authorization: `Bearer ${cluster.token}`, 'content-type': 'application/json' } },
          (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => {
              if (res.statusCode === 201) created++;
              else failures.push(`${name}: ${String(res.statusCode)} ${text.slice(0, 300)}`);
              resolve();
            });
          },
        );
        req.on('error', (e) => {
          failures.push(`${name}: ${e.message}`);
          resolve();
        });
        req.end(statefulSet(name));
      });
    for (let round = 0; round < ROUNDS; round++) {
      let next = 0;
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (next < PER_ROUND) await create(`r${String(round)}-${String(next++)}`);
      }));
      // Idle around the old keep-alive timeout: 4.5 to 5.5 s, a different gap each round.
      await sleep(4500 + ((round * 379) % 1000));
    }
    agent.destroy();
    console.log(`${String(created)} creates through the apiserver across ${String(ROUNDS)} idle gaps of 4.5-5.5 s: ${String(failures.length)} failed`);
    assert.deepEqual(failures, []);
    assert.equal(created, ROUNDS * PER_ROUND);
  });
});
