/**
 * bench/e2e-overhead: creates through a real kube-apiserver at concurrency 20, in rounds
 * interleaved on the same apiserver, under each admission set-up:
 *   none     no admission of ours
 *   webhook  our validating and mutating webhooks (failurePolicy Fail, matchConditions)
 *   vap      the admission policies `galera-gitops export policies` writes (vap.ts): the
 *            rules decidable from the object alone, in CEL inside the apiserver
 * for Galera StatefulSets; and ordinary Deployments with the webhooks registered (the
 * matchConditions filter keeps them away) against none, and against the webhooks registered
 * with a condition that is always false (`registered`: what any registration costs them).
 * Placement: etcd and kube-apiserver (the server under test) on CPU 1; the load generator
 * (this process) and the webhook on CPU 0, as a webhook runs beside, not inside, the
 * apiserver. Each switch of set-up is proven in force (an even member count is denied, or
 * created) before its round.
 * Also the apiserver's and the webhook's CPU per create under each set-up (/proc), which the
 * queue at C = 20 does not blur.
 * Goals: our overhead within 1.5x of the policy's; p99 overhead < 5 ms at C = 20; the
 * filter's overhead on other objects within the noise of none.
 * Not a test: run `flock /tmp/galera-heavy.lock npm run bench:e2e-overhead`.
 */
import { Agent, request } from 'node:https';
import { readFileSync } from 'node:fs';
import { TestCluster } from '../../test/support/cluster.ts';
import { affinity, cpuSeconds, LOAD_CPU, machine, pin, SERVER_CPU } from '../support/cpu.ts';
import { galeraStatefulSet, plainDeployment } from './objects.ts';
import { exportedRules, policiesManifest } from './vap.ts';

const PER_SETUP = Number(process.env.BENCH_CREATES ?? 600);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const C = Number(process.env.BENCH_CONCURRENCY ?? 20);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** registered: our webhooks registered, with a match condition that is always false. */
type Setup = 'none' | 'webhook' | 'vap' | 'registered';
const NEVER = [{ name: 'never', expression: 'false' }];

const cluster = await TestCluster.start();
try {
  pin(process.pid, LOAD_CPU);
  for (const name of ['etcd', 'kube-apiserver']) pin(cluster.processes.get(name)?.pid ?? 0, SERVER_CPU);
  pin(cluster.processes.get('webhook')?.pid ?? 0, LOAD_CPU);
  const placement = { loadGenerator: affinity(process.pid), webhook: affinity(cluster.processes.get('webhook')?.pid ?? 0), apiserver: affinity(cluster.processes.get('kube-apiserver')?.pid ?? 0), etcd: affinity(cluster.processes.get('etcd')?.pid ?? 0) };
  const agent = new Agent({ keepAlive: true, maxSockets: C, ca: readFileSync(cluster.caFile) });
  const post = (namespace: string, resource: string, body: string): Promise<{ status: number; ms: number }> =>
    new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      const req = request({ host: '127.0.0.1', port: cluster.apiserverPort, path: `/apis/apps/v1/namespaces/${namespace}/${resource}`, method: 'POST', agent, headers: { authorization: `Bearer ${cluster.token}`, 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }); });
      });
      req.on('error', reject);
      req.end(body);
    });

  // Latencies per series, and the apiserver's and the webhook's CPU seconds over it: what
  // each set-up costs the servers, whatever the queue.
  const apiserverPid = cluster.processes.get('kube-apiserver')?.pid ?? 0;
  const webhookPid = cluster.processes.get('webhook')?.pid ?? 0;
  const results: Record<string, number[]> = { none: [], webhook: [], vap: [], plainNone: [], plainFilter: [], plainRegistered: [] };
  const cpu: Record<string, { apiserver: number; webhook: number }> = {};
  let serial = 0;
  /** `count` creates at concurrency C; with a series, their latencies and CPU go to it. */
  const creates = async (kind: 'galera' | 'plain', count: number, series?: string): Promise<void> => {
    const namespace = `bench-${String(serial++)}`;
    cluster.apply('', 'create', 'namespace', namespace);
    const cpu0 = cpuSeconds(apiserverPid);
    const webhookCpu0 = cpuSeconds(webhookPid);
    const latencies: number[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: C }, async () => {
      while (next < count) {
        const name = `o${String(next++)}`;
        const r = kind === 'galera' ? await post(namespace, 'statefulsets', galeraStatefulSet(name)) : await post(namespace, 'deployments', plainDeployment(name));
        if (r.status !== 201) throw new Error(`a ${kind} create answered ${String(r.status)}`);
        latencies.push(r.ms);
      }
    }));
    if (series === undefined) return;
    results[series]?.push(...latencies);
    const t = (cpu[series] ??= { apiserver: 0, webhook: 0 });
    t.apiserver += cpuSeconds(apiserverPid) - cpu0;
    t.webhook += cpuSeconds(webhookPid) - webhookCpu0;
  };

  /** Switches to a set-up and waits until an even member count gets the answer it should. */
  let current: Setup = 'webhook';
  const use = async (setup: Setup): Promise<void> => {
    if (setup !== current) {
      if (current === 'webhook' || current === 'registered') cluster.unregisterWebhooks();
      if (current === 'vap') cluster.apply(policiesManifest(), 'delete', '-f', '-', '--ignore-not-found');
      if (setup === 'webhook') cluster.registerWebhooks('Fail');
      if (setup === 'registered') cluster.registerWebhooks('Fail', NEVER);
      if (setup === 'vap') cluster.apply(policiesManifest(), 'apply', '-f', '-');
      current = setup;
    }
    const namespace = `probe-${String(serial++)}`;
    cluster.apply('', 'create', 'namespace', namespace);
    for (let i = 0; ; i++) {
      const r = await post(namespace, 'statefulsets', galeraStatefulSet(`even${String(i)}`, 4));
      // Registered with a false condition, an even count is created, as with none: the
      // configuration is then only known to be stored, so the round waits a little longer.
      if ((setup === 'none' || setup === 'registered') === (r.status === 201)) break;
      if (i > 100) throw new Error(`set-up ${setup} not in force after 20 s (an even count answered ${String(r.status)})`);
      await sleep(200);
    }
    await sleep(setup === 'registered' ? 5000 : 2000);
  };

  const per = Math.ceil(PER_SETUP / ROUNDS);
  await creates('galera', 200); // warm-up, webhooks registered
  const orders: Setup[][] = [['none', 'webhook', 'vap', 'registered'], ['vap', 'registered', 'none', 'webhook'], ['webhook', 'none', 'registered', 'vap']];
  for (let round = 0; round < ROUNDS; round++) {
    for (const setup of orders[round % orders.length] ?? []) {
      await use(setup);
      if (setup === 'registered') {
        await creates('plain', per, 'plainRegistered');
        continue;
      }
      await creates('galera', per, setup);
      if (setup === 'none') await creates('plain', per, 'plainNone');
      if (setup === 'webhook') await creates('plain', per, 'plainFilter');
    }
  }

  const round2 = (x: number): number => Math.round(x * 100) / 100;
  const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? Number.NaN;
  const stats = (xs: number[]): { n: number; p50ms: number; p99ms: number } => ({ n: xs.length, p50ms: round2(pct(xs, 50)), p99ms: round2(pct(xs, 99)) });
  const over = (a: number[], b: number[]): { p50ms: number; p99ms: number } => ({ p50ms: round2(pct(a, 50) - pct(b, 50)), p99ms: round2(pct(a, 99) - pct(b, 99)) });
  const none = results.none ?? [];
  const webhook = over(results.webhook ?? [], none);
  const vap = over(results.vap ?? [], none);
  process.stdout.write(`${JSON.stringify({
    date: new Date().toISOString().slice(0, 10),
    machine: `${machine()}, kube-apiserver v1.37.2, etcd v3.7.0`,
    placement,
    concurrency: C,
    policies: `galera-gitops export policies (default policy file): ${exportedRules().join(', ')}`,
    rounds: ROUNDS,
    galeraStatefulSets: { none: stats(none), webhook: stats(results.webhook ?? []), vap: stats(results.vap ?? []) },
    overhead: { webhook, vap, webhookOverVapP50: round2(webhook.p50ms / vap.p50ms), webhookOverVapP99: round2(webhook.p99ms / vap.p99ms) },
    otherObjects: { none: stats(results.plainNone ?? []), withFilter: stats(results.plainFilter ?? []), registeredFalse: stats(results.plainRegistered ?? []), ratioP50: round2(pct(results.plainFilter ?? [], 50) / pct(results.plainNone ?? [], 50)), ratioP99: round2(pct(results.plainFilter ?? [], 99) / pct(results.plainNone ?? [], 99)) },
    cpuPerCreateMs: Object.fromEntries(Object.entries(cpu).map(([k, t]) => {
      const n = Math.max(1, results[k]?.length ?? 0);
      return [k, { apiserver: round2((t.apiserver * 1000) / n), webhook: round2((t.webhook * 1000) / n) }];
    })),
    goals: 'webhook overhead within 1.5x of the policy\'s; p99 overhead < 5 ms at C = 20; other objects within the noise of none',
  }, null, 2)}\n`);
  agent.destroy();
} finally {
  cluster.stop();
}
