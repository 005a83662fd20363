/**
 * One load of bench/webhook: h2load (nghttp2, C) on the load core, over keep-alive TLS in
 * HTTP/2 (what the apiserver's webhook client speaks) or HTTP/1.1, one h2load per review of
 * the mix (h2load posts one body), every answer's latency kept to the microsecond from
 * h2load's per-request log; and what share of its core the server used meanwhile.
 * A load generator in Node (autocannon, used before) needs about as much CPU per request as
 * a bare Node server: on a core of its own it could not keep the server's core busy, which
 * compressed every throughput ratio towards 1. h2load needs a fraction of that.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coreShare, coresBusy, LOAD_CPU, pinned, SERVER_CPU } from '../support/cpu.ts';
import { bodies } from './bodies.ts';

export type Protocol = 'h2' | 'http/1.1';

export interface Target {
  name: string;
  port: number;
  pid: number;
}

export interface LoadOptions {
  protocol: Protocol;
  seconds?: number;
  /** Stop after about this many requests instead of after a time. */
  amount?: number;
  /** Requests per second across all connections; unset: as fast as the server answers. */
  rate?: number;
  /** Connections per review of the mix (6 reviews), and streams per HTTP/2 connection. */
  connections?: number;
  streams?: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  requests: number;
  p50ms: number;
  p99ms: number;
  p999ms: number;
  maxMs: number;
  /** Failed requests and answers other than 200. */
  errors: number;
  /** Share of its core the server used (1 = all of it). */
  serverCore: number;
  /** Server CPU per answered request, in microseconds: the cost, whoever was the bottleneck. */
  serverMicrosPerRequest: number;
  /** How busy each core was, whoever ran there: above the server's share means other jobs ran too. */
  serverCoreBusy: number;
  loadCoreBusy: number;
}

/** h2load, installed from Debian's nghttp2-client when missing (the benchmarks run as root). */
export function ensureH2load(): void {
  if (spawnSync('h2load', ['--version']).status === 0) return;
  const apt = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'nghttp2-client'], { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (apt.status !== 0 || spawnSync('h2load', ['--version']).status !== 0) throw new Error(`h2load is needed: apt-get install nghttp2-client (Debian), as root\n${apt.stderr}`);
}

function percentile(sorted: Float64Array, p: number): number {
  const value = sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
  return Math.round(value * 1000) / 1000;
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`h2load exited with ${String(code)}:\n${out.slice(-2000)}`));
    });
  });
}

export async function load(target: Target, options: LoadOptions): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-load-'));
  try {
    const connections = options.connections ?? 2;
    const clients = bodies.length * connections;
    const args = (i: number): string[] => [
      ...(options.protocol === 'http/1.1' ? ['--h1'] : ['-m', String(options.streams ?? 4)]),
      '-c', String(connections),
      ...(options.amount === undefined ? ['-D', String(options.seconds ?? 10)] : ['-n', String(Math.ceil(options.amount / bodies.length / connections) * connections)]),
      ...(options.rate === undefined ? [] : [`--rps=${String(options.rate / clients)}`]),
      '-H', 'content-type: application/json',
      '-d', join(dir, `body${String(i)}.json`),
      `--log-file=${join(dir, `latency${String(i)}.tsv`)}`,
      `https://127.0.0.1:${String(target.port)}/validate`,
    ];
    bodies.forEach((body, i) => { writeFileSync(join(dir, `body${String(i)}.json`), body); });
    const t0 = performance.now();
    const { result: measured, busy } = await coresBusy(() => coreShare(target.pid, () => Promise.all(bodies.map((_, i) => run(...pinned(LOAD_CPU, 'h2load', args(i)))))));
    const wall = (performance.now() - t0) / 1000;
    const latencies: number[] = [];
    let errors = 0;
    bodies.forEach((_, i) => {
      for (const line of readFileSync(join(dir, `latency${String(i)}.tsv`), 'utf8').split('\n')) {
        const [, status, micros] = line.split('\t');
        if (status === undefined || micros === undefined) continue;
        if (status === '200') latencies.push(Number(micros) / 1000);
        else errors++;
      }
    });
    // Requests h2load could not even send (refused connections, resets) are in its summary.
    for (const out of measured.result) errors += Number(/(\d+) failed/.exec(out)?.[1] ?? 0);
    const sorted = Float64Array.from(latencies).sort();
    return {
      requestsPerSecond: Math.round(latencies.length / wall),
      requests: latencies.length,
      p50ms: percentile(sorted, 50),
      p99ms: percentile(sorted, 99),
      p999ms: percentile(sorted, 99.9),
      maxMs: percentile(sorted, 100),
      errors,
      serverCore: measured.share,
      serverMicrosPerRequest: Math.round((measured.share * wall * 1e6) / Math.max(1, latencies.length)),
      serverCoreBusy: busy[SERVER_CPU] ?? Number.NaN,
      loadCoreBusy: busy[LOAD_CPU] ?? Number.NaN,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
