/**
 * charts/galera-gitops-webhook as real pods on the real node: `helm install` with the image
 * built from the Dockerfile comes up Ready through its own HTTPS probes, the apiserver calls
 * the webhook through its Service (a bad Galera StatefulSet and an even `kubectl scale` are
 * denied with the webhook's message, a good one is created), and deleting one webhook pod
 * while admission requests keep coming fails none of them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { admissionLoad, helmInstall, kubectlAsync, webhookPods, type ChartRelease } from './support/chart-install.ts';
import { RealNode } from './support/node.ts';
import { sleep } from './support/processes.ts';
import { webhookImage } from './support/webhook-image.ts';

const DENIED = 'admission webhook "validate.galera-gitops.io" denied the request: ';
const odd = (replicas: number): string =>
  `odd-replicas at spec.replicas: spec.replicas is ${String(replicas)}; a Galera cluster needs an odd number of members (1, 3, 5, ...) to keep quorum when the network splits: set it to ${String(replicas - 1)} or ${String(replicas + 1)}`;
const APPS = 'galera-apps';

/** A Galera StatefulSet whose pods never start here: their claims find no volume, so they stay Pending. */
function sts(name: string, replicas: number): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: APPS, labels: { 'galera-gitops.io/cluster': name } },
    spec: {
      replicas,
      serviceName: `${name}-peers`,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { terminationGracePeriodSeconds: 600, containers: [{ name: 'db', image: 'mariadb:11.4', readinessProbe: { exec: { command: ['healthcheck.sh', '--readiness'] } }, volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql' }] }] },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  });
}

function peers(name: string): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: `${name}-peers`, namespace: APPS }, spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: { app: name }, ports: [{ port: 4567 }] } });
}

/** `message` as the whole rest of a line: not followed by more text (e.g. the unknown-parent note). */
const line = (message: string): RegExp => new RegExp(`${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm');

describe('the Helm chart as real pods on a real node', { timeout: 20 * 60_000 }, () => {
  let node: RealNode | undefined;
  let chart: ChartRelease;
  const image = webhookImage();

  before(async () => {
    node = await RealNode.start();
    node.loadImage(image);
    node.apply('', 'create', 'namespace', APPS);
  });

  after(async () => {
    await node?.stop();
  });

  const pods = (n: RealNode): ReturnType<typeof webhookPods> => webhookPods(n.apply('', 'get', 'pods', '-n', chart.namespace, '-l', chart.selector, '-o', 'json').stdout);

  it('helm install comes up: both webhook pods Running and Ready through their HTTPS probes', async () => {
    assert.ok(node);
    const n = node;
    const begin = Date.now();
    // A short-lived serving certificate: the webhook renews it every ~30 s during the tests.
    chart = helmInstall(n, image, 'galera-gitops', 'galera-gitops', 'tls.selfManaged.validitySeconds=120', 'tls.selfManaged.renewBeforeSeconds=90');
    const installed = Date.now() - begin;
    const readyReplicas = (): string => n.apply('', 'get', 'deployment', chart.fullname, '-n', chart.namespace, '-o', 'jsonpath={.status.readyReplicas}').stdout;
    await n.waitFor('both webhook pods to be Ready', 180_000, () => pods(n).filter((p) => p.ready && !p.deleting).length === 2 && readyReplicas() === '2', 250);
    console.log(`helm install to both webhook pods Ready: ${String(Date.now() - begin)} ms (helm install itself: ${String(installed)} ms)`);
    const running = pods(n);
    assert.deepEqual(running.map((p) => [p.phase, p.ready, p.restarts]), [['Running', true, 0], ['Running', true, 0]]);
    const deployment = JSON.parse(n.apply('', 'get', 'deployment', chart.fullname, '-n', chart.namespace, '-o', 'json').stdout) as {
      spec: { template: { spec: { containers: { readinessProbe: { httpGet: unknown }; livenessProbe: { httpGet: unknown }; env: { name: string; value: string }[] }[] } } };
      status: { readyReplicas: number };
    };
    const container = deployment.spec.template.spec.containers[0];
    assert.ok(container);
    assert.deepEqual(container.readinessProbe.httpGet, { path: '/readyz', port: 'https', scheme: 'HTTPS' });
    assert.deepEqual(container.livenessProbe.httpGet, { path: '/healthz', port: 'https', scheme: 'HTTPS' });
    assert.deepEqual(container.env.slice(2), [{ name: 'KUBERNETES_SERVICE_HOST', value: n.layout.bridgeIp }, { name: 'KUBERNETES_SERVICE_PORT', value: String(n.controlPlane.port) }]);
    assert.equal(deployment.status.readyReplicas, 2);
  });

  it('the apiserver calls the webhook through its Service: a bad StatefulSet and an even scale are denied, a good one is created', async () => {
    assert.ok(node);
    const n = node;
    n.apply([peers('good'), peers('bad')].join('\n---\n'));
    const bad = n.kubectl(['apply', '-f', '-'], sts('bad', 4));
    assert.equal(bad.status, 1, bad.stderr);
    assert.equal(bad.stderr, `Error from server (Forbidden): error when creating "STDIN": ${DENIED}StatefulSet ${APPS}/bad breaks a Galera rule:\n- ${odd(4)}\n`);
    const badDry = n.kubectl(['apply', '--dry-run=server', '-f', '-'], sts('bad', 6));
    assert.equal(badDry.stderr, `Error from server (Forbidden): error when creating "STDIN": ${DENIED}StatefulSet ${APPS}/bad breaks a Galera rule:\n- ${odd(6)}\n`);
    assert.equal(n.kubectl(['get', 'statefulset', 'bad', '-n', APPS]).status, 1);
    assert.equal(n.kubectl(['apply', '--dry-run=server', '-f', '-'], sts('good', 5)).stdout.trim(), 'statefulset.apps/good created (server dry run)');
    assert.equal(n.apply(sts('good', 3)).stdout.trim(), 'statefulset.apps/good created');
    // The webhook's cache learns of `good` through its watch a moment after the create; until
    // then an even Scale is denied as of an unknown parent, whose message says to retry.
    let scale = n.kubectl(['scale', 'statefulset', 'good', '-n', APPS, '--replicas=4']);
    for (let i = 0; i < 20 && scale.stderr.includes("is not in the webhook's cache"); i++) {
      await sleep(250);
      scale = n.kubectl(['scale', 'statefulset', 'good', '-n', APPS, '--replicas=4']);
    }
    assert.equal(scale.status, 1, scale.stderr);
    assert.match(scale.stderr, line(`${DENIED}Scale ${APPS}/good breaks a Galera rule:\n- ${odd(4)}`));
    assert.equal(n.apply('', 'get', 'statefulset', 'good', '-n', APPS, '-o', 'jsonpath={.spec.replicas}').stdout, '3');
  });

  it('deleting a webhook pod under a steady stream of admission requests fails none of them', async () => {
    assert.ok(node);
    const n = node;
    const [victim, survivor] = pods(n);
    assert.ok(victim && survivor);
    n.apply(peers('loop'));
    const load = admissionLoad(n, ['apply', '--dry-run=server', '-f', '-'], sts('loop', 3), 4);
    await sleep(3000);
    // Everything the victim logs until its container exits: the reviews it answered, its stop.
    const victimLogs = kubectlAsync(n, ['logs', '--follow', victim.name, '-n', chart.namespace]);
    const deleteAt = Date.now() - load.startedAt;
    let deletedAt = 0;
    const deleting = kubectlAsync(n, ['delete', 'pod', victim.name, '-n', chart.namespace]).then((r) => {
      deletedAt = Date.now() - load.startedAt;
      return r;
    });
    let replacementReadyAt = 0;
    for (let polls = 0; replacementReadyAt === 0; polls++) {
      if (polls > 600) throw new Error('no replacement webhook pod became Ready within 150 s');
      await sleep(250);
      const r = await kubectlAsync(n, ['get', 'pods', '-n', chart.namespace, '-l', chart.selector, '-o', 'json']);
      const now = webhookPods(r.stdout);
      if (now.some((p) => p.name !== victim.name && p.name !== survivor.name && p.ready)) replacementReadyAt = Date.now() - load.startedAt;
    }
    const deleted = await deleting;
    assert.equal(deleted.status, 0, deleted.stderr);
    await sleep(3000);
    const result = await load.stop();
    const end = Date.now() - load.startedAt;
    const during = result.completed.filter((t) => t > deleteAt && t <= Math.max(deletedAt, replacementReadyAt)).length;
    const logged = (await victimLogs).stdout.split('\n').map((l) => (l.startsWith('{') ? (JSON.parse(l) as { name?: string; msg?: string; time?: number }) : {}));
    const answered = logged.filter((l) => l.name === 'loop');
    const stopping = logged.find((l) => l.msg === 'stopping: finishing in-flight reviews')?.time ?? 0;
    const lastAnswer = answered.at(-1)?.time ?? 0;
    console.log(
      `webhook pod delete under load: ${String(result.requests)} admission requests in ${String(end)} ms (${(result.requests / (end / 1000)).toFixed(1)}/s), ` +
        `${String(during)} while the pod terminated and its replacement came up, ${String(result.failures.length)} failures; ` +
        `delete at ${String(deleteAt)} ms, replacement Ready at ${String(replacementReadyAt)} ms, kubectl delete returned at ${String(deletedAt)} ms; ` +
        `the deleted pod answered ${String(answered.length)} of them, its last ${String(stopping - lastAnswer)} ms before its SIGTERM`,
    );
    assert.ok(answered.length > 0, 'the deleted pod answered none of the requests');
    assert.ok(logged.some((l) => l.msg === 'stopped'), 'the deleted pod did not log its graceful stop');
    assert.deepEqual(result.failures, []);
    assert.ok(during >= 20, `only ${String(during)} requests while the pod was replaced`);
    assert.equal(pods(n).filter((p) => p.ready && !p.deleting).length, 2);
  });

  it('TLS is the webhook\'s own: its Secret holds a CA and a serving certificate, both configurations trust the CA, and a renewal serves on without a failed review', async () => {
    assert.ok(node);
    const n = node;
    const secret = (): Record<string, string> => (JSON.parse(n.apply('', 'get', 'secret', `${chart.fullname}-tls`, '-n', chart.namespace, '-o', 'json').stdout) as { data: Record<string, string> }).data;
    const first = secret();
    for (const key of ['ca.crt', 'ca.key', 'tls.crt', 'tls.key']) assert.ok((first[key] ?? '') !== '', `the Secret has no ${key}`);
    for (const kind of ['validatingwebhookconfiguration', 'mutatingwebhookconfiguration']) {
      assert.equal(n.apply('', 'get', kind, chart.fullname, '-o', 'jsonpath={.webhooks[0].clientConfig.caBundle}').stdout, first['ca.crt']);
    }
    const load = admissionLoad(n, ['apply', '--dry-run=server', '-f', '-'], sts('loop', 3), 2);
    const begin = Date.now();
    await n.waitFor('the serving certificate to be renewed', 120_000, () => secret()['tls.crt'] !== first['tls.crt'], 1000);
    const renewed = Date.now() - begin;
    // Both replicas pick the new pair up from the Secret, then serve on.
    await sleep(30_000);
    const result = await load.stop();
    const after = secret();
    console.log(`self-managed TLS: certificate renewed ${String(Math.round(renewed / 1000))} s into the test; ${String(result.requests)} reviews through the renewal, ${String(result.failures.length)} failed`);
    assert.deepEqual(result.failures, []);
    assert.equal(after['ca.crt'], first['ca.crt'], 'a renewal of the serving certificate must not change what the apiserver trusts');
    assert.equal(n.kubectl(['apply', '--dry-run=server', '-f', '-'], sts('after', 3)).status, 0);
  });

  it('with the webhook\'s pods stopped, ordinary rollouts, Services, claims and autoscalers go through; a Galera StatefulSet fails clearly', async () => {
    assert.ok(node);
    const n = node;
    n.apply('', 'scale', 'deployment', chart.fullname, '-n', chart.namespace, '--replicas=0');
    await n.waitFor('the webhook pods to stop', 120_000, () => pods(n).length === 0, 500);
    n.apply('', 'create', 'namespace', 'ordinary');
    const app = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'shop', namespace: 'ordinary' }, spec: { replicas: 1, selector: { matchLabels: { app: 'shop' } }, template: { metadata: { labels: { app: 'shop' } }, spec: { containers: [{ name: 'app', image: n.layout.pauseImage, ports: [{ containerPort: 80 }] }] } } } };
    n.apply(JSON.stringify(app));
    const rolledOut = (): boolean => n.kubectl(['rollout', 'status', 'deployment', 'shop', '-n', 'ordinary', '--timeout=1s']).status === 0;
    await n.waitFor('the Deployment to roll out', 120_000, rolledOut, 1000);
    n.apply('', 'rollout', 'restart', 'deployment', 'shop', '-n', 'ordinary');
    await n.waitFor('a restart to roll out (a new ReplicaSet and pod)', 120_000, rolledOut, 1000);
    const rs = n.apply('', 'get', 'replicasets', '-n', 'ordinary', '-o', 'name').stdout.trim().split('\n');
    assert.equal(rs.length, 2, 'the restart made a second ReplicaSet');
    n.apply([
      JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'shop', namespace: 'ordinary' }, spec: { selector: { app: 'shop' }, ports: [{ port: 80 }] } }),
      JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'uploads', namespace: 'ordinary' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }),
      JSON.stringify({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'shop', namespace: 'ordinary' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop' }, minReplicas: 1, maxReplicas: 4, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }] } }),
    ].join('\n---\n'));
    const galera = n.kubectl(['apply', '-f', '-'], sts('blocked', 3));
    assert.equal(galera.status, 1);
    assert.match(galera.stderr, /Internal error occurred: failed calling webhook "validate\.galera-gitops\.io": failed to call webhook: /);
    n.apply('', 'scale', 'deployment', chart.fullname, '-n', chart.namespace, '--replicas=2');
    await n.waitFor('the webhook pods to be back', 180_000, () => pods(n).filter((p) => p.ready).length === 2, 500);
  });
});
