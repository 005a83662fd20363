/**
 * The webhook's server against what a busy or hostile network does: HTTP/2 and HTTP/1.1,
 * plain HTTP on the TLS port, a connection that never sends a ClientHello, slow headers,
 * a stuck body, idle keep-alive, and more reviews or bytes than the caps. Every timeout is
 * the documented one, to within a second.
 */
import assert from 'node:assert/strict';
import { connect as http2Connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { StaticCache } from '../webhook/cache.ts';
import { DEFAULT_CONFIG } from '../webhook/config.ts';
import { createLogger } from '../webhook/log.ts';
import { createMetrics } from '../webhook/metrics.ts';
import { DEFAULT_TIMEOUTS, startServer, type RunningServer } from '../webhook/server.ts';
import { generateTls, type GeneratedTls } from '../webhook/tls.ts';
import { galeraStatefulSet } from './support/objects.ts';
import { review } from './support/reviews.ts';

const body = JSON.stringify(review(galeraStatefulSet('g', { replicas: 4 }), { uid: 'u1' }));

/** Milliseconds until the server closes `socket` (read, so that its close is seen). */
function closedAfter(socket: Duplex): Promise<number> {
  const begin = Date.now();
  socket.resume();
  return new Promise((resolve) => {
    socket.once('close', () => {
      resolve(Date.now() - begin);
    });
  });
}

describe('the webhook server under a hostile network', { timeout: 120_000 }, () => {
  let tls: GeneratedTls;
  let dir: string;
  let server: RunningServer;
  const metrics = createMetrics(false);
  const start = (options: Partial<Parameters<typeof startServer>[0]> = {}): Promise<RunningServer> =>
    startServer({ port: 0, host: '127.0.0.1', certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), config: DEFAULT_CONFIG, cache: new StaticCache(), logger: createLogger('silent'), metrics: createMetrics(false), ...options });

  before(async () => {
    tls = await generateTls(['localhost', '127.0.0.1']);
    dir = mkdtempSync(join(tmpdir(), 'webhook-server-'));
    writeFileSync(join(dir, 'tls.crt'), tls.cert);
    writeFileSync(join(dir, 'tls.key'), tls.key);
    server = await start({ metrics, limits: { maxReviews: 2, maxBodyBytes: 1024 * 1024 } });
  });

  after(async () => {
    await server.close(1000);
  });

  const secure = (alpn: string[] = ['http/1.1'], port = server.port): Promise<TLSSocket> =>
    new Promise((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port, ca: tls.caCert, servername: 'localhost', ALPNProtocols: alpn }, () => {
        resolve(socket);
      });
      socket.on('error', reject);
    });

  it('answers a review over HTTP/2 (what the apiserver speaks) and over HTTP/1.1', async () => {
    const session = http2Connect(`https://127.0.0.1:${String(server.port)}`, { ca: tls.caCert, servername: 'localhost' });
    const stream = session.request({ ':method': 'POST', ':path': '/validate', 'content-type': 'application/json' });
    stream.end(body);
    let text = '';
    stream.on('data', (d: Buffer) => (text += d.toString()));
    const status = await new Promise<number>((resolve) => stream.on('response', (h) => { resolve(Number(h[':status'])); }));
    await new Promise((resolve) => stream.on('end', resolve));
    session.close();
    assert.equal(status, 200);
    assert.equal((JSON.parse(text) as { response: { uid: string; allowed: boolean } }).response.allowed, false);
    const h1 = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port: server.port, path: '/healthz', ca: tls.caCert, servername: 'localhost', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(h1, 200);
  });

  it('answers plain HTTP on the TLS port with 400', async () => {
    const socket = netConnect(server.port, '127.0.0.1');
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString()));
    await new Promise((resolve) => socket.on('close', resolve));
    assert.match(text, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(text, /\{"error":"this port serves HTTPS only: the client sent plain HTTP"\}$/);
  });

  it(`closes a connection that never sends a ClientHello, or an unfinished one, after ${String(DEFAULT_TIMEOUTS.handshakeMs / 1000)} s`, async () => {
    const silent = netConnect(server.port, '127.0.0.1');
    const partial = netConnect(server.port, '127.0.0.1', () => partial.write(Buffer.from([0x16, 0x03, 0x01, 0x00])));
    const [a, b] = await Promise.all([closedAfter(silent), closedAfter(partial)]);
    for (const ms of [a, b]) assert.ok(Math.abs(ms - DEFAULT_TIMEOUTS.handshakeMs) < 1000, `closed after ${String(ms)} ms`);
  });

  it(`cuts slow headers after ${String(DEFAULT_TIMEOUTS.headersMs / 1000)} s and a stuck body with 408 after ${String(DEFAULT_TIMEOUTS.requestMs / 1000)} s`, async () => {
    const slow = await secure();
    const begin = Date.now();
    // Read what the server sends: a socket nobody reads does not see the server close it.
    slow.resume();
    slow.write('POST /validate HTTP/1.1\r\nhost: x\r\n');
    const drip = setInterval(() => slow.write('x-slow: 1\r\n'), 500);
    const headersCut = await closedAfter(slow);
    clearInterval(drip);
    assert.ok(Math.abs(Date.now() - begin - DEFAULT_TIMEOUTS.headersMs) < 1000, `headers cut after ${String(headersCut)} ms`);

    const stuck = await secure();
    let text = '';
    stuck.on('data', (d: Buffer) => (text += d.toString()));
    const started = Date.now();
    stuck.write(`POST /validate HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${String(body.length)}\r\n\r\n${body.slice(0, 10)}`);
    await closedAfter(stuck);
    assert.ok(Math.abs(Date.now() - started - DEFAULT_TIMEOUTS.requestMs) < 1000, `request cut after ${String(Date.now() - started)} ms`);
    assert.match(text, /^HTTP\/1\.1 408 /);
  });

  it('closes an idle keep-alive connection after the configured keep-alive timeout (3 s here; 120 s by default)', async () => {
    const short = await start({ timeouts: { keepAliveMs: 3000 } });
    const socket = await secure(['http/1.1'], short.port);
    socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    const idle = await closedAfter(socket);
    await short.close(100);
    assert.ok(Math.abs(idle - 3000) < 1000, `idle connection closed after ${String(idle)} ms`);
  });

  it('answers 429 with Retry-After past the cap on reviews in flight and on bytes in flight', async () => {
    const open: TLSSocket[] = [];
    for (let i = 0; i < 2; i++) {
      const s = await secure();
      s.write(`POST /validate HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${String(body.length)}\r\n\r\n${body.slice(0, 10)}`);
      open.push(s);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const third = await secure();
    let text = '';
    third.on('data', (d: Buffer) => (text += d.toString()));
    third.write(`POST /validate HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${String(body.length)}\r\nconnection: close\r\n\r\n${body}`);
    await new Promise((resolve) => third.on('close', resolve));
    assert.match(text, /^HTTP\/1\.1 429 Too Many Requests\r\n/);
    assert.match(text, /\r\nretry-after: 1\r\n/i);
    assert.match(text, /"error":"the webhook is answering 2 reviews already; retry"/);
    for (const s of open) s.destroy();
    await new Promise((resolve) => setTimeout(resolve, 200));

    const big = await secure();
    let bigText = '';
    big.on('data', (d: Buffer) => (bigText += d.toString()));
    const size = 2 * 1024 * 1024;
    big.write(`POST /validate HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${String(size)}\r\nconnection: close\r\n\r\n`);
    big.write(Buffer.alloc(size, 32));
    await new Promise((resolve) => big.on('close', resolve));
    assert.match(bigText, /^HTTP\/1\.1 429 Too Many Requests\r\n/);
    assert.match(bigText, /"error":"the webhook holds 1048576 bytes of reviews already; retry"/);
    const text2 = await metrics.registry.metrics();
    assert.match(text2, /galera_gitops_rejected_reviews_total\{reason="reviews"\} 1/);
    assert.match(text2, /galera_gitops_rejected_reviews_total\{reason="bytes"\} 1/);
  });
});
