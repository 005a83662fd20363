/**
 * `galera-gitops serve` as a process: flags and environment variables, and SIGTERM:
 * stop accepting, finish the review in flight, exit 0 within the grace period.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { galeraStatefulSet } from './support/objects.ts';
import { generateTls } from '../webhook/tls.ts';
import { freePort } from './support/ports.ts';
import { review } from './support/reviews.ts';

const MAIN = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js');


describe('galera-gitops serve', { timeout: 60_000 }, () => {
  it('refuses to start without TLS material (exit 2)', () => {
    const r = spawnSync(process.execPath, [MAIN, 'serve', '--no-in-cluster'], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'galera-gitops serve: the webhook serves TLS only: give --tls-cert and --tls-key, or --self-signed for local development\n');
  });

  it('names the file and line of a bad policy file (exit 2)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'serve-config-'));
    writeFileSync(join(dir, 'policy.yaml'), 'mode: enforce\nseverity:\n  odd-replicas: maybe\n');
    const r = spawnSync(process.execPath, [MAIN, 'serve', '--self-signed', '--config', join(dir, 'policy.yaml')], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `galera-gitops serve: ${join(dir, 'policy.yaml')}:3: severity.odd-replicas: must be one of deny, warn, off\n`);
  });

  it('finishes the review in flight on SIGTERM, refuses new connections, and exits 0', async () => {
    const tls = await generateTls(['localhost', '127.0.0.1']);
    const dir = mkdtempSync(join(tmpdir(), 'serve-'));
    writeFileSync(join(dir, 'tls.crt'), tls.cert);
    writeFileSync(join(dir, 'tls.key'), tls.key);
    const port = await freePort();
    // Flags through their environment variables, as a container sets them.
    const child = spawn(process.execPath, [MAIN, 'serve', '--no-in-cluster'], {
      env: { PATH: process.env.PATH, GALERA_GITOPS_PORT: String(port), GALERA_GITOPS_HOST: '127.0.0.1', GALERA_GITOPS_TLS_CERT: join(dir, 'tls.crt'), GALERA_GITOPS_TLS_KEY: join(dir, 'tls.key'), GALERA_GITOPS_SHUTDOWN_GRACE: '10' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    while (!output.includes('serving admission reviews over TLS')) await new Promise((r) => setTimeout(r, 50));

    const body = JSON.stringify(review(galeraStatefulSet('g', { replicas: 4 }), { uid: 'in-flight' }));
    const answer = new Promise<{ status: number; text: string; connection: string }>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port, path: '/validate', method: 'POST', ca: tls.caCert, servername: 'localhost', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, text, connection: String(res.headers.connection) });
        });
      });
      req.on('error', reject);
      // Half the body now, the rest after SIGTERM: the review is in flight when it arrives.
      req.write(body.slice(0, 100));
      setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(100)), 500);
      }, 200);
    });
    const exited = once(child, 'exit');
    const result = await answer;
    assert.equal(result.status, 200);
    assert.equal((JSON.parse(result.text) as { response: { uid: string; allowed: boolean } }).response.uid, 'in-flight');
    assert.equal(result.connection, 'close');
    const refused = await new Promise<string>((resolve) => {
      const req = httpsRequest({ host: '127.0.0.1', port, path: '/healthz', ca: tls.caCert, servername: 'localhost', agent: false }, () => {
        resolve('answered');
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        resolve(e.code ?? e.message);
      });
      req.end();
    });
    assert.equal(refused, 'ECONNREFUSED');
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0);
    assert.match(output, /"msg":"stopping: finishing in-flight reviews"/);
    assert.match(output, /"uid":"in-flight".*"verdict":"denied"/);
  });

  it('exits on SIGTERM within a second when only an unfinished handshake and a slowloris are open', async () => {
    const tls = await generateTls(['localhost', '127.0.0.1']);
    const dir = mkdtempSync(join(tmpdir(), 'serve-'));
    writeFileSync(join(dir, 'tls.crt'), tls.cert);
    writeFileSync(join(dir, 'tls.key'), tls.key);
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN, 'serve', '--no-in-cluster', '--port', String(port), '--host', '127.0.0.1', '--tls-cert', join(dir, 'tls.crt'), '--tls-key', join(dir, 'tls.key')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    while (!output.includes('serving admission reviews over TLS')) await new Promise((r) => setTimeout(r, 50));
    // A TCP connection that never sends a ClientHello, and one that drips headers.
    const silent = netConnect(port, '127.0.0.1');
    silent.on('error', () => undefined);
    const slowloris = tlsConnect({ host: '127.0.0.1', port, ca: tls.caCert, servername: 'localhost', ALPNProtocols: ['http/1.1'] });
    slowloris.on('error', () => undefined);
    await once(slowloris, 'secureConnect');
    slowloris.write('POST /validate HTTP/1.1\r\nhost: x\r\n');
    const drip = setInterval(() => slowloris.write('x-slow: 1\r\n'), 200);
    await new Promise((r) => setTimeout(r, 500));
    const exited = once(child, 'exit');
    const sent = Date.now();
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    clearInterval(drip);
    const took = Date.now() - sent;
    assert.equal(code, 0);
    assert.ok(took < 1000, `exit took ${String(took)} ms`);
  });
});
