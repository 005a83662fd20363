/**
 * The real HTTPS server: TLS only, and a certificate rotated on disk (cert-manager style)
 * while requests are running is picked up without a restart and without a failed request.
 */
import assert from 'node:assert/strict';
import { request as httpsRequest, Agent } from 'node:https';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { X509Certificate } from 'node:crypto';
import { galeraStatefulSet } from './support/objects.ts';
import { StaticCache } from '../webhook/cache.ts';
import { DEFAULT_CONFIG } from '../webhook/config.ts';
import { createLogger } from '../webhook/log.ts';
import { createMetrics } from '../webhook/metrics.ts';
import { startServer, type RunningServer } from '../webhook/server.ts';
import { generateTls, type GeneratedTls } from '../webhook/tls.ts';
import { review } from './support/reviews.ts';

const body = JSON.stringify(review(galeraStatefulSet('g', { replicas: 4 }), { uid: 'tls' }));

interface Result {
  status: number;
  fingerprint: string;
}

function post(port: number, ca: string[], agent: Agent | false): Promise<Result> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/validate', method: 'POST', ca, agent, servername: 'localhost', headers: { 'content-type': 'application/json' } }, (res) => {
      const socket = res.socket;
      const fingerprint = socket instanceof TLSSocket ? (socket.getPeerX509Certificate()?.fingerprint256 ?? '') : '';
      res.resume();
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, fingerprint });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the HTTPS server', { timeout: 120_000 }, () => {
  let first: GeneratedTls;
  let second: GeneratedTls;
  let server: RunningServer;
  const dir = mkdtempSync(join(tmpdir(), 'webhook-tls-'));
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');

  before(async () => {
    first = await generateTls(['localhost', '127.0.0.1']);
    second = await generateTls(['localhost', '127.0.0.1']);
    writeFileSync(certFile, first.cert);
    writeFileSync(keyFile, first.key);
    server = await startServer({ port: 0, host: '127.0.0.1', certFile, keyFile, config: DEFAULT_CONFIG, cache: new StaticCache(), logger: createLogger('silent'), metrics: createMetrics(false), reloadIntervalMs: 100 });
  });

  after(async () => {
    await server.close(1000);
  });

  it('serves TLS only', async () => {
    const plain = await new Promise<string>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port: server.port, path: '/healthz' }, (res) => {
        resolve(`status ${String(res.statusCode)}`);
      });
      req.on('error', (error) => {
        resolve(error.message);
      });
      req.end();
    });
    assert.doesNotMatch(plain, /status 200/);
    assert.equal((await post(server.port, [first.caCert], false)).status, 200);
  });

  it('reloads a rotated certificate without a restart and without failing a request in flight', async () => {
    const trusted = [first.caCert, second.caCert];
    const oldPrint = new X509Certificate(first.cert).fingerprint256;
    const newPrint = new X509Certificate(second.cert).fingerprint256;
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 4 });
    let rotated = false;
    let failures = 0;
    let done = 0;
    const seen = new Set<string>();
    const worker = async (agent: Agent | false): Promise<void> => {
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        try {
          const result = await post(server.port, trusted, agent);
          if (result.status !== 200) failures++;
          if (result.fingerprint !== '') seen.add(result.fingerprint);
          done++;
        } catch {
          failures++;
        }
        if (rotated && seen.has(newPrint) && done > 400) return;
      }
    };
    const workers = [worker(keepAlive), worker(keepAlive), worker(false), worker(false)];
    await new Promise((resolve) => setTimeout(resolve, 500));
    // A rotation the way a Secret volume does it: new files appear, then are swapped in.
    writeFileSync(join(dir, 'tls.crt.new'), second.cert);
    writeFileSync(join(dir, 'tls.key.new'), second.key);
    renameSync(join(dir, 'tls.crt.new'), certFile);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the key lags behind the certificate
    renameSync(join(dir, 'tls.key.new'), keyFile);
    rotated = true;
    await Promise.all(workers);
    keepAlive.destroy();
    assert.equal(failures, 0);
    assert.ok(done > 400, `only ${String(done)} requests`);
    assert.ok(seen.has(oldPrint) && seen.has(newPrint), 'both certificates should have been served');
    const fresh = await post(server.port, [second.caCert], false);
    assert.equal(fresh.fingerprint, newPrint);
  });
});
