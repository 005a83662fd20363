/**
 * bench/webhook: the real webhook (`galera-gitops serve`, logging and metrics on) against a
 * bare node:https server answering the same reviews, both loaded over keep-alive TLS by
 * autocannon on this machine, in the same run. Reports throughput, p50 and p99 at full
 * load and at 2,000 requests/s, and the webhook's resident memory after 100,000 requests.
 * Goals: >= 0.75 of the baseline's throughput, p99 < 5 ms at 2,000 requests/s, RSS < 150 MiB.
 * Not a test: run `npm run bench:webhook`.
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { galeraStatefulSet, service, statefulSet } from '../../test/support/objects.ts';
import type { KubeObject } from '../../policies/index.ts';
import { generateTls } from '../../webhook/tls.ts';
import { review } from '../../test/support/reviews.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);

function deployment(): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }], env: [{ name: 'LOG_LEVEL', value: 'info' }] }] } } } };
}

const bodies = [
  review(galeraStatefulSet('g', { replicas: 4 })),
  review(galeraStatefulSet('g')),
  review(deployment()),
  review(statefulSet('cache', { replicas: 2 })),
  review(service('g-peers', { clusterIP: 'None', publishNotReadyAddresses: true, ports: [{ port: 4567 }] })),
  review({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'g', namespace: 'db' }, spec: { replicas: 3 } }),
].map((b) => JSON.stringify(b));

async function waitFor(child: ChildProcess, text: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes(text)) resolve();
    });
    child.once('exit', (code) => {
      reject(new Error(`exited with ${String(code)} before "${text}"`));
    });
  });
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

async function load(port: number, ca: string, options: Partial<autocannon.Options>): Promise<autocannon.Result> {
  const length = options.amount === undefined ? { duration: DURATION } : {};
  return autocannon({
    url: `https://127.0.0.1:${String(port)}/validate`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: bodies.map((body) => ({ method: 'POST', path: '/validate', body })),
    tlsOptions: { ca, servername: 'localhost' },
    connections: 10,
    ...length,
    ...options,
  });
}

const tls = await generateTls(['localhost', '127.0.0.1']);
const dir = mkdtempSync(join(tmpdir(), 'bench-webhook-'));
writeFileSync(join(dir, 'tls.crt'), tls.cert);
writeFileSync(join(dir, 'tls.key'), tls.key);

const ours = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'serve', '--no-in-cluster', '--port', '18601', '--host', '127.0.0.1', '--tls-cert', join(dir, 'tls.crt'), '--tls-key', join(dir, 'tls.key')], { stdio: ['ignore', 'pipe', 'inherit'] });
await waitFor(ours, 'serving admission reviews over TLS');
// From here on its JSON logs go nowhere, but they are still produced: logging is part of the cost.
ours.stdout.removeAllListeners('data');
ours.stdout.resume();
const bare = spawn(process.execPath, [join(import.meta.dirname, 'bare-server.ts'), '18602', join(dir, 'tls.crt'), join(dir, 'tls.key')], { stdio: ['ignore', 'pipe', 'inherit'] });
await waitFor(bare, 'listening');

try {
  // Warm both up, then measure them one after the other, twice, alternating.
  await load(18601, tls.caCert, { duration: 3 });
  await load(18602, tls.caCert, { duration: 3 });
  const fullOurs: autocannon.Result[] = [];
  const fullBare: autocannon.Result[] = [];
  for (let round = 0; round < 2; round++) {
    fullBare.push(await load(18602, tls.caCert, {}));
    fullOurs.push(await load(18601, tls.caCert, {}));
  }
  const best = (results: autocannon.Result[]): autocannon.Result => results.reduce((a, b) => (b.requests.average > a.requests.average ? b : a));
  const o = best(fullOurs);
  const b = best(fullBare);
  const rateOurs = await load(18601, tls.caCert, { overallRate: 2000 });
  const rateBare = await load(18602, tls.caCert, { overallRate: 2000 });
  const before = rssMiB(ours.pid ?? 0);
  const soak = await load(18601, tls.caCert, { amount: 100_000 });
  const after = rssMiB(ours.pid ?? 0);
  const errors = [...fullOurs, rateOurs, soak].reduce((n, r) => n + r.errors + r.non2xx, 0);
  process.stdout.write(
    `${JSON.stringify(
      {
        machine: `${String(cpus().length)} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`,
        mix: 'Galera StatefulSet (deny and allow), Deployment, plain StatefulSet, governing Service, Scale; ~1-2 KB each',
        fullLoad: {
          webhook: { requestsPerSecond: Math.round(o.requests.average), p50ms: o.latency.p50, p99ms: o.latency.p99 },
          bareHttps: { requestsPerSecond: Math.round(b.requests.average), p50ms: b.latency.p50, p99ms: b.latency.p99 },
          throughputRatio: Number((o.requests.average / b.requests.average).toFixed(3)),
        },
        at2000PerSecond: {
          webhook: { p50ms: rateOurs.latency.p50, p99ms: rateOurs.latency.p99, requestsPerSecond: Math.round(rateOurs.requests.average) },
          bareHttps: { p50ms: rateBare.latency.p50, p99ms: rateBare.latency.p99 },
        },
        memory: { rssBeforeMiB: before, rssAfter100kMiB: after, requests: soak.requests.total },
        errorsAndNon2xx: errors,
        goals: 'throughputRatio >= 0.75; p99 < 5 ms at 2,000/s; RSS < 150 MiB after 100,000 requests',
      },
      null,
      2,
    )}\n`,
  );
} finally {
  ours.kill('SIGTERM');
  bare.kill('SIGTERM');
}
