/**
 * The webhook's memory under the two attacks that used to take it past the chart's limit
 * (384 MiB): 8 concurrent 6.9 MiB reviews (bodies of many small fields: JSON.parse turns
 * them into ten times their size), and 256 keep-alive connections of small reviews for
 * 30 s. `galera-gitops serve` runs as a process with the chart's NODE_OPTIONS; its peak
 * resident memory (VmHWM) must stay under the limit, and it must answer every request.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request as httpsRequest } from 'node:https';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { generateTls, type GeneratedTls } from '../webhook/tls.ts';
import { galeraStatefulSet } from './support/objects.ts';
import { MAIN, ROOT } from './support/paths.ts';
import { freePort } from './support/ports.ts';
import { sleep } from './support/processes.ts';
import { review } from './support/reviews.ts';

const LIMIT_MIB = 384;
const values = parse(readFileSync(join(ROOT, 'charts', 'galera-gitops-webhook', 'values.yaml'), 'utf8')) as { nodeOptions: string; resources: { limits: { memory: string } } };

/** A review of about `bytes` whose object has tens of thousands of small fields. */
function largeReview(bytes: number, uid: string): string {
  const env: { name: string; value: string }[] = [];
  for (let i = 0, size = 0; size < bytes - 2000; i++) {
    const entry = { name: `VARIABLE_${String(i)}`, value: `value-${String(i)}` };
    env.push(entry);
    size += JSON.stringify(entry).length + 1;
  }
  const sts = galeraStatefulSet('big', { template: { spec: { terminationGracePeriodSeconds: 600, containers: [{ name: 'db', image: 'mariadb:11', env, volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql' }] }] } } });
  return JSON.stringify(review(sts, { uid }));
}

describe('the webhook\'s memory under attack, against the chart\'s limit', { timeout: 5 * 60_000 }, () => {
  let tls: GeneratedTls;
  let child: ChildProcess;
  let port = 0;
  let peakKb = 0;

  const vm = (field: 'VmHWM' | 'VmRSS'): number => Number(/\d+/.exec(readFileSync(`/proc/${String(child.pid)}/status`, 'utf8').split('\n').find((l) => l.startsWith(field)) ?? '')?.[0] ?? 0);

  before(async () => {
    assert.equal(values.resources.limits.memory, `${String(LIMIT_MIB)}Mi`);
    tls = await generateTls(['localhost', '127.0.0.1']);
    const dir = mkdtempSync(join(tmpdir(), 'webhook-memory-'));
    writeFileSync(join(dir, 'tls.crt'), tls.cert);
    writeFileSync(join(dir, 'tls.key'), tls.key);
    port = await freePort();
    child = spawn(process.execPath, [MAIN, 'serve', '--no-in-cluster', '--port', String(port), '--host', '127.0.0.1', '--tls-cert', join(dir, 'tls.crt'), '--tls-key', join(dir, 'tls.key')], {
      env: { PATH: process.env.PATH, NODE_OPTIONS: values.nodeOptions, LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    await sleep(1500);
  });

  after(() => {
    child.kill('SIGKILL');
  });

  const post = (agent: Agent, body: string): Promise<number> =>
    new Promise((resolve) => {
      const req = httpsRequest({ host: '127.0.0.1', port, path: '/validate', method: 'POST', ca: tls.caCert, servername: 'localhost', agent, headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => {
          resolve(res.statusCode ?? 0);
        });
      });
      req.on('error', () => {
        resolve(0);
      });
      req.end(body);
    });

  /** Forgets the peak so far (writing 5 to clear_refs resets VmHWM): each attack reports its own. */
  const resetPeak = (): void => {
    writeFileSync(`/proc/${String(child.pid)}/clear_refs`, '5');
  };

  const sample = async (until: () => boolean): Promise<void> => {
    while (!until()) {
      peakKb = Math.max(peakKb, vm('VmHWM'));
      await sleep(100);
    }
  };

  it('8 concurrent 6.9 MiB reviews, again and again for 15 s', async () => {
    const body = largeReview(6.9 * 1024 * 1024, 'big');
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const codes = new Map<number, number>();
    const end = Date.now() + 15_000;
    const worker = async (): Promise<void> => {
      while (Date.now() < end) {
        const code = await post(agent, body);
        codes.set(code, (codes.get(code) ?? 0) + 1);
        // A refused review is retried a moment later, as the apiserver does on Retry-After.
        if (code === 429) await sleep(200);
      }
    };
    resetPeak();
    let done = false;
    const sampling = sample(() => done);
    await Promise.all(Array.from({ length: 8 }, worker));
    done = true;
    await sampling;
    agent.destroy();
    console.log(`8 concurrent 6.9 MiB reviews for 15 s: peak RSS ${String(Math.round(peakKb / 1024))} MiB; answers ${JSON.stringify(Object.fromEntries(codes))}`);
    assert.deepEqual([...codes.keys()].filter((c) => c !== 200 && c !== 429), []);
    assert.ok((codes.get(200) ?? 0) > 8, 'hardly any large review was answered');
    assert.ok(peakKb / 1024 < LIMIT_MIB, `peak RSS ${String(Math.round(peakKb / 1024))} MiB`);
  });

  it('256 keep-alive connections of small reviews for 30 s', async () => {
    const body = JSON.stringify(review(galeraStatefulSet('small', { replicas: 4 }), { uid: 'small' }));
    const agent = new Agent({ keepAlive: true, maxSockets: 256 });
    let answered = 0;
    let failed = 0;
    const end = Date.now() + 30_000;
    const worker = async (): Promise<void> => {
      while (Date.now() < end) {
        const code = await post(agent, body);
        if (code === 200) answered++;
        else if (code !== 429) failed++;
      }
    };
    await sleep(2000);
    resetPeak();
    peakKb = 0;
    let done = false;
    const sampling = sample(() => done);
    await Promise.all(Array.from({ length: 256 }, worker));
    done = true;
    await sampling;
    agent.destroy();
    console.log(`256 keep-alive connections for 30 s: peak RSS ${String(Math.round(peakKb / 1024))} MiB; ${String(answered)} reviews answered, ${String(failed)} failed`);
    assert.equal(failed, 0);
    assert.ok(peakKb / 1024 < LIMIT_MIB, `peak RSS ${String(Math.round(peakKb / 1024))} MiB`);
  });
});
