/**
 * Readiness that tells the truth, against a real kube-apiserver: the webhook is not ready
 * while it cannot list (an unreachable apiserver), and when its apiserver stops under it,
 * the cache turns stale after the bound: reviews are still answered, but with nothing
 * around the object visible (never a "does not exist"), /readyz answers 503, a metric and a
 * log line say so; when the apiserver comes back, it recovers by itself.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestCluster } from './support/cluster.ts';
import { galeraStatefulSet } from './support/objects.ts';
import { MAIN } from './support/paths.ts';
import { freePort } from './support/ports.ts';
import { sleep } from './support/processes.ts';
import { review } from './support/reviews.ts';

const STALE_AFTER = 5;

interface Answer {
  status: number;
  body: string;
}

describe('the webhook\'s cache and readiness against a real apiserver', { timeout: 5 * 60_000 }, () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start(['--cache-stale-after', String(STALE_AFTER)]);
  });

  after(() => {
    cluster.stop();
  });

  const call = (port: number, path: string, body?: unknown): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = httpsRequest(
        { host: '127.0.0.1', port, path, method: payload === undefined ? 'GET' : 'POST', ca: cluster.tls?.caCert, servername: '127.0.0.1', agent: false, headers: payload === undefined ? {} : { 'content-type': 'application/json' } },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body: text });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });

  /** A Galera StatefulSet whose governing Service is nowhere. */
  const orphan = review(galeraStatefulSet('orphan', { serviceName: 'nowhere' }), { uid: 'orphan' });
  const warningsOf = (answer: Answer): string[] => (JSON.parse(answer.body) as { response: { warnings?: string[] } }).response.warnings ?? [];

  it('is not ready while it cannot list: an unreachable apiserver', async () => {
    const port = await freePort();
    const dead = await freePort();
    const config = readFileSync(cluster.kubeconfig, 'utf8').replace(/server: https:\/\/[^\n]+/, `server: https://127.0.0.1:${String(dead)}`);
    writeFileSync(join(cluster.dir, 'dead.kubeconfig'), config);
    const child = spawn(process.execPath, [MAIN, 'serve', '--port', String(port), '--host', '127.0.0.1', '--tls-cert', join(cluster.dir, 'webhook.crt'), '--tls-key', join(cluster.dir, 'webhook.key'), '--kubeconfig', join(cluster.dir, 'dead.kubeconfig')], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 50; i++) {
        try {
          await call(port, '/healthz');
          break;
        } catch {
          await sleep(100);
        }
      }
      await sleep(3000);
      const ready = await call(port, '/readyz');
      assert.deepEqual([ready.status, JSON.parse(ready.body)], [503, { tls: true, cacheSynced: false, cacheFresh: true, stopping: false }]);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it(`turns stale ${String(STALE_AFTER)} s after its apiserver stops, judges objects alone meanwhile, and recovers when it is back`, async () => {
    const port = cluster.webhookPort;
    assert.equal((await call(port, '/readyz')).status, 200);
    assert.match(warningsOf(await call(port, '/validate', orphan)).join('\n'), /that Service does not exist in namespace/);

    await cluster.controlPlane.stopApiserver();
    const stopped = Date.now();
    let stale = 0;
    while (stale === 0 && Date.now() - stopped < 60_000) {
      if ((await call(port, '/readyz')).status === 503) stale = Date.now() - stopped;
      else await sleep(250);
    }
    assert.ok(stale > 0, 'the webhook stayed ready with its apiserver gone');
    assert.ok(Math.abs(stale - STALE_AFTER * 1000) < 3000, `stale after ${String(stale)} ms`);
    assert.deepEqual(JSON.parse((await call(port, '/readyz')).body), { tls: true, cacheSynced: true, cacheFresh: false, stopping: false });
    // Still answered, but nothing around the object is claimed missing.
    const judged = await call(port, '/validate', orphan);
    assert.equal(judged.status, 200);
    assert.doesNotMatch(warningsOf(judged).join('\n'), /does not exist/);
    const metrics = (await call(port, '/metrics')).body;
    assert.match(metrics, /galera_gitops_cache_stale 1/);
    assert.match(metrics, /galera_gitops_cache_age_seconds\{kind="StatefulSet"\} \d/);
    await sleep(1500);
    assert.match(cluster.logTail('webhook'), /"msg":"cache stale: watches broken for longer than 5 s; reviews judge objects alone until the cache is in sync again"/);

    await cluster.controlPlane.restartApiserver();
    const back = Date.now();
    let fresh = 0;
    while (fresh === 0 && Date.now() - back < 60_000) {
      if ((await call(port, '/readyz')).status === 200) fresh = Math.max(1, Date.now() - back);
      else await sleep(250);
    }
    console.log(`stale ${String(stale)} ms after the apiserver stopped; ready again ${String(fresh)} ms after it was back`);
    assert.ok(fresh > 0, 'the webhook did not recover');
    assert.match((await call(port, '/metrics')).body, /galera_gitops_cache_stale 0/);
    assert.match(warningsOf(await call(port, '/validate', orphan)).join('\n'), /that Service does not exist in namespace/);
  });
});
