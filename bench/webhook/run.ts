/**
 * bench/webhook: the real webhook (`galera-gitops serve`, rules, JSON logging and metrics on)
 * against a bare Node server answering the same reviews on the same protocols, in the same
 * run and measured the same way: each server alone on the server core (taskset, CPU 1) with
 * the chart's NODE_OPTIONS, loaded over keep-alive TLS by h2load on the other core (CPU 0),
 * in HTTP/2 (what the apiserver speaks) and HTTP/1.1. Reports throughput (median of
 * alternating rounds) and its ratio, the server's CPU per review, latency at a fixed 2,000
 * requests/s, the webhook's resident memory over 200,000 reviews in a fresh process, and how
 * busy each core was (a core busier than the server's own share ran other jobs too).
 * Goals: >= 0.75 of the bare server's throughput, p99 < 5 ms at 2,000/s, RSS < 150 MiB flat.
 * Not a test: run `flock /tmp/galera-heavy.lock npm run bench:webhook` on a shared machine.
 */
import { rmSync } from 'node:fs';
import { affinity, machine, rssMiB } from '../support/cpu.ts';
import { MIX } from './bodies.ts';
import { load, type LoadResult, type Protocol, type Target } from './load.ts';
import { benchNodeArgs, chartNodeOptions, startBare, startWebhook, stop, type Server } from './servers.ts';
import { benchSetup, median } from './setup.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SOAK = Number(process.env.BENCH_SOAK ?? 100_000);

const { dir, cert, key } = await benchSetup('bench-webhook');

const target = (name: string, server: Server): Target => ({ name, port: server.port, pid: server.pid });
const brief = (r: LoadResult): Record<string, number> => ({ rps: r.requestsPerSecond, p50ms: r.p50ms, p99ms: r.p99ms, p999ms: r.p999ms, maxMs: r.maxMs, serverCore: r.serverCore, usPerReview: r.serverMicrosPerRequest, serverCoreBusy: r.serverCoreBusy, loadCoreBusy: r.loadCoreBusy, errors: r.errors });

/** Alternating rounds at full load, then alternating rounds at 2,000/s; bare first in each pair. */
async function compare(ours: Target, bare: Target, protocol: Protocol): Promise<Record<string, unknown>> {
  await load(ours, { protocol, seconds: 3 });
  await load(bare, { protocol, seconds: 3 });
  const full = { webhook: [] as LoadResult[], bare: [] as LoadResult[] };
  for (let round = 0; round < ROUNDS; round++) {
    full.bare.push(await load(bare, { protocol, seconds: SECONDS }));
    full.webhook.push(await load(ours, { protocol, seconds: SECONDS }));
  }
  const rate = { webhook: [] as LoadResult[], bare: [] as LoadResult[] };
  for (let round = 0; round < 2; round++) {
    rate.bare.push(await load(bare, { protocol, seconds: SECONDS, rate: 2000, connections: 1, streams: 1 }));
    rate.webhook.push(await load(ours, { protocol, seconds: SECONDS, rate: 2000, connections: 1, streams: 1 }));
  }
  const rpsOurs = median(full.webhook.map((r) => r.requestsPerSecond));
  const rpsBare = median(full.bare.map((r) => r.requestsPerSecond));
  const usOurs = median(full.webhook.map((r) => r.serverMicrosPerRequest));
  const usBare = median(full.bare.map((r) => r.serverMicrosPerRequest));
  return {
    protocol,
    fullLoad: {
      webhook: full.webhook.map(brief),
      bare: full.bare.map(brief),
      medianRps: { webhook: rpsOurs, bare: rpsBare },
      throughputRatio: Math.round((rpsOurs / rpsBare) * 1000) / 1000,
      medianUsPerReview: { webhook: usOurs, bare: usBare },
      cpuCostRatio: Math.round((usBare / usOurs) * 1000) / 1000,
    },
    at2000PerSecond: {
      webhook: rate.webhook.map(brief),
      bare: rate.bare.map(brief),
      worstP99ms: { webhook: Math.max(...rate.webhook.map((r) => r.p99ms)), bare: Math.max(...rate.bare.map((r) => r.p99ms)) },
    },
  };
}

/** A fresh webhook: RSS idle, then sampled through two soaks of SOAK reviews each. */
async function memory(port: number): Promise<Record<string, unknown>> {
  const server = await startWebhook(port, cert, key);
  try {
    const ours = target('webhook', server);
    const idle = rssMiB(server.pid);
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(rssMiB(server.pid)), 500);
    const first = await load(ours, { protocol: 'h2', amount: SOAK });
    const after1 = rssMiB(server.pid);
    const second = await load(ours, { protocol: 'h2', amount: SOAK });
    const after2 = rssMiB(server.pid);
    clearInterval(sampler);
    return { idleMiB: idle, afterFirstMiB: after1, afterSecondMiB: after2, peakMiB: Math.max(idle, ...samples), reviews: first.requests + second.requests, errors: first.errors + second.errors };
  } finally {
    await stop(server);
  }
}

const ours = await startWebhook(18601, cert, key);
const bare = await startBare(18602, cert, key);
try {
  const placement = { loadGenerator: affinity(process.pid), webhook: affinity(ours.pid), bare: affinity(bare.pid) };
  const h2 = await compare(target('webhook', ours), target('bare', bare), 'h2');
  const h1 = await compare(target('webhook', ours), target('bare', bare), 'http/1.1');
  await stop(ours);
  const rss = await memory(18603);
  process.stdout.write(
    `${JSON.stringify(
      {
        date: new Date().toISOString().slice(0, 10),
        machine: machine(),
        placement: { cpus: placement, nodeOptions: chartNodeOptions(), nodeArgs: benchNodeArgs(), loadGenerator: 'h2load, one per review of the mix, 2 connections each (HTTP/2: 4 streams each); at 2,000/s 1 connection and 1 stream each' },
        mix: MIX,
        results: [h2, h1],
        memory: rss,
        goals: 'throughputRatio >= 0.75; p99 < 5 ms at 2,000/s; RSS < 150 MiB and flat after 100,000 reviews',
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await stop(ours);
  await stop(bare);
  rmSync(dir, { recursive: true, force: true });
}
