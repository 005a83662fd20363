/**
 * bench/e2e-overhead: the same StatefulSet creates through a real kube-apiserver at
 * concurrency 20, once with our validating and mutating webhooks registered and once
 * without, alternating, in the same run (the test harness' control plane). Reports p50 and
 * p99 of each and the overhead. Goal: p99 overhead under 5 ms at C = 20.
 * Not a test: run `npm run bench:e2e-overhead`.
 */
import { Agent, request } from 'node:https';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { TestCluster } from '../../test/support/cluster.ts';

const N = Number(process.env.BENCH_CREATES ?? 1000);
const C = Number(process.env.BENCH_CONCURRENCY ?? 20);

function statefulSet(name: string): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, labels: { 'galera-gitops.io/cluster': name } },
    spec: {
      replicas: 3,
      serviceName: `${name}-peers`,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 600, containers: [{ name: 'db', image: 'mariadb:11.4', ports: [{ containerPort: 3306 }, { containerPort: 4567 }], volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql' }] }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const cluster = await TestCluster.start();
try {
  const ca = readFileSync(cluster.caFile);
  const agent = new Agent({ keepAlive: true, maxSockets: C, ca });
  const post = (namespace: string, body: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      const req = request(
        { host: '127.0.0.1', port: cluster.apiserverPort, path: `/apis/apps/v1/namespaces/${namespace}/statefulsets`, method: 'POST', agent, headers: { authorization: `Bearer ${cluster.token}`, 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 201) reject(new Error(`create answered ${String(res.statusCode)}`));
            else resolve(Number(process.hrtime.bigint() - started) / 1e6);
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  let round = 0;
  const creates = async (count: number): Promise<number[]> => {
    const namespace = `bench-${String(round++)}`;
    cluster.apply('', 'create', 'namespace', namespace);
    const latencies: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: C }, async () => {
        while (next < count) {
          const i = next++;
          latencies.push(await post(namespace, statefulSet(`db${String(i)}`)));
        }
      }),
    );
    return latencies;
  };
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 3000));
  const withHooks: number[] = [];
  const without: number[] = [];
  await creates(200); // warm up, webhooks registered
  for (let r = 0; r < 2; r++) {
    withHooks.push(...(await creates(N / 2)));
    cluster.unregisterWebhooks();
    await settle();
    without.push(...(await creates(N / 2)));
    cluster.registerWebhooks('Fail');
    await settle();
  }
  const a = [...withHooks].sort((x, y) => x - y);
  const b = [...without].sort((x, y) => x - y);
  const round2 = (x: number): number => Math.round(x * 100) / 100;
  process.stdout.write(
    `${JSON.stringify(
      {
        machine: `${String(cpus().length)} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, kube-apiserver v1.37.2, etcd v3.7.0`,
        creates: N,
        concurrency: C,
        withWebhooks: { p50ms: round2(percentile(a, 50)), p99ms: round2(percentile(a, 99)) },
        withoutWebhooks: { p50ms: round2(percentile(b, 50)), p99ms: round2(percentile(b, 99)) },
        overhead: { p50ms: round2(percentile(a, 50) - percentile(b, 50)), p99ms: round2(percentile(a, 99) - percentile(b, 99)), p99Ratio: round2(percentile(a, 99) / percentile(b, 99)) },
        goal: 'p99 overhead < 5 ms at C = 20',
      },
      null,
      2,
    )}\n`,
  );
  agent.destroy();
} finally {
  cluster.stop();
}
