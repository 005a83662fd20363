/**
 * Where a review's CPU goes, by profile (issue 14: "show with a profile why the ratio cannot
 * be reached and what it is"): the bare server and the webhook as bench/webhook runs them,
 * each alone on the server core under h2load's full load from the other core, each with
 * `node --cpu-prof`; per protocol, a fresh process of each, 3 s of warm-up and SECONDS
 * measured. Per review: the server's whole CPU (/proc, every thread), its main thread's
 * share by what it was doing (cpu-profile.ts), and what other threads took (V8's helper
 * threads, libuv's pool: the rest). Run: `flock /tmp/galera-heavy.lock npm run bench:webhook-profile`.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { machine } from '../support/cpu.ts';
import { CATEGORIES, profileMillis } from './cpu-profile.ts';
import { load, type LoadResult, type Protocol } from './load.ts';
import { startBare, startWebhook, stop, type Server } from './servers.ts';
import { benchSetup } from './setup.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

const { dir, cert, key } = await benchSetup('bench-profile');

const round = (us: number): number => Math.round(us * 10) / 10;

async function profiled(name: 'bare' | 'webhook', protocol: Protocol, port: number): Promise<Record<string, unknown>> {
  const profiles = join(dir, `${name}-${protocol.replace('/', '')}`);
  const nodeArgs = ['--cpu-prof', `--cpu-prof-dir=${profiles}`];
  const server: Server = name === 'bare' ? await startBare(port, cert, key, 'bare', nodeArgs) : await startWebhook(port, cert, key, nodeArgs);
  const target = { name, port: server.port, pid: server.pid };
  const runs: LoadResult[] = [];
  try {
    runs.push(await load(target, { protocol, seconds: 3 }), await load(target, { protocol, seconds: SECONDS }));
  } finally {
    await stop(server);
  }
  const requests = runs.reduce((n, r) => n + r.requests, 0);
  const totalUs = runs.reduce((us, r) => us + r.serverMicrosPerRequest * r.requests, 0) / requests;
  const millis = profileMillis(profiles);
  const mainUs = (Object.values(millis).reduce((a, b) => a + b, 0) * 1000) / requests;
  return {
    rps: runs[1]?.requestsPerSecond,
    usPerReview: round(totalUs),
    mainThreadUs: round(mainUs),
    otherThreadsUs: round(totalUs - mainUs),
    byCategoryUs: Object.fromEntries(CATEGORIES.map((c) => [c, round((millis[c] * 1000) / requests)])),
  };
}

try {
  const results: Record<string, unknown>[] = [];
  let port = 18621;
  for (const protocol of ['h2', 'http/1.1'] as Protocol[]) {
    results.push({ protocol, bare: await profiled('bare', protocol, port++), webhook: await profiled('webhook', protocol, port++) });
  }
  process.stdout.write(`${JSON.stringify({ date: new Date().toISOString().slice(0, 10), machine: machine(), seconds: SECONDS, results }, null, 2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
