/**
 * Where the webhook's extra cost per review goes (issue 14's "show with a profile why the
 * ratio cannot be reached"): five servers measured the same way in one run, each alone on
 * the server core with the chart's NODE_OPTIONS, loaded by h2load from the other core at
 * full load, HTTP/2 and HTTP/1.1, rounds alternating:
 *   bare     bare-server.ts: parse the body, answer allowed;
 *   loaded   the same bare handler in a process that has loaded the webhook's modules;
 *   quiet    the webhook's own handler (rules, limits, metrics) on Node's secure server,
 *            without server.ts's TLS front, its logger silent;
 *   handler  the same with the review's JSON log line (to a pipe, read and dropped);
 *   webhook  `galera-gitops serve`, as deployed;
 *   spin     the bare server plus 30 µs of pure computation per review: what 30 µs of any
 *            work costs here in throughput (on HTTP/1.1 more than 30 µs: see the docs).
 * The steps between them are the cost of the loaded process, of the admission work, of
 * the log line, and of server.ts. Run: `flock /tmp/galera-heavy.lock npm run bench:webhook-decompose`.
 */
import { rmSync } from 'node:fs';
import { machine } from '../support/cpu.ts';
import { load, type LoadResult, type Protocol } from './load.ts';
import { startBare, startWebhook, stop, type Server } from './servers.ts';
import { benchSetup, median } from './setup.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const { dir, cert, key } = await benchSetup('bench-decompose');

const servers: [string, Server][] = [
  ['bare', await startBare(18611, cert, key)],
  ['loaded', await startBare(18612, cert, key, 'loaded')],
  ['quiet', await startBare(18613, cert, key, 'quiet')],
  ['handler', await startBare(18614, cert, key, 'handler')],
  ['webhook', await startWebhook(18615, cert, key)],
  ['spin', await startBare(18616, cert, key, 'spin')],
];
try {
  const results: Record<string, unknown>[] = [];
  for (const protocol of ['h2', 'http/1.1'] as Protocol[]) {
    const runs = new Map<string, LoadResult[]>(servers.map(([name]) => [name, []]));
    for (const [name, s] of servers) await load({ name, port: s.port, pid: s.pid }, { protocol, seconds: 3 });
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, s] of servers) runs.get(name)?.push(await load({ name, port: s.port, pid: s.pid }, { protocol, seconds: SECONDS }));
    }
    const row: Record<string, unknown> = { protocol };
    for (const [name, rs] of runs) {
      row[name] = { rps: median(rs.map((r) => r.requestsPerSecond)), usPerReview: median(rs.map((r) => r.serverMicrosPerRequest)), serverCoreBusy: rs.map((r) => r.serverCoreBusy), errors: rs.reduce((n, r) => n + r.errors, 0) };
    }
    results.push(row);
  }
  process.stdout.write(`${JSON.stringify({ date: new Date().toISOString().slice(0, 10), machine: machine(), seconds: SECONDS, rounds: ROUNDS, results }, null, 2)}\n`);
} finally {
  for (const [, s] of servers) await stop(s);
  rmSync(dir, { recursive: true, force: true });
}
