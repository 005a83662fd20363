/**
 * A real Kubernetes control plane for end-to-end admission tests, the way
 * controller-runtime's envtest does it: etcd and kube-apiserver on loopback with free
 * ports, temporary folders and an admin token of their own (no kubelet, no controllers),
 * our webhook (`galera-gitops serve`, the built CLI) with a CA made for the run, and the
 * Validating/MutatingWebhookConfigurations registered by URL with that caBundle.
 * Everything it starts is stopped by `stop()`, which the tests call in `after`, also when
 * a test failed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mutatingMatchConditions, validatingMatchConditions } from '../../policies/index.ts';
import { generateTls, type GeneratedTls } from '../../webhook/tls.ts';
import { ControlPlane, type Run } from './control-plane.ts';
import { MAIN } from './paths.ts';
import { freePort } from './ports.ts';
import { Processes, sleep } from './processes.ts';

export type { Run } from './control-plane.ts';
export const WEBHOOK_NAMESPACE = 'galera-gitops';

/** The mutating webhook only ever patches Services: registering it for less saves every other create a call. */
export function mutatingRules(): unknown[] {
  return [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['services'], scope: 'Namespaced' }];
}

/** The validating admission rules, as the chart ships them; matchConditions narrow them to what can be Galera. */
export function webhookRules(): unknown[] {
  const ops = ['CREATE', 'UPDATE'];
  return [
    { apiGroups: ['apps'], apiVersions: ['v1'], operations: ops, resources: ['statefulsets', 'statefulsets/scale', 'deployments', 'replicasets', 'daemonsets'], scope: 'Namespaced' },
    { apiGroups: [''], apiVersions: ['v1'], operations: ops, resources: ['services', 'persistentvolumeclaims', 'replicationcontrollers', 'pods'], scope: 'Namespaced' },
    { apiGroups: ['autoscaling'], apiVersions: ['v1', 'v2'], operations: ops, resources: ['horizontalpodautoscalers'], scope: 'Namespaced' },
  ];
}

export class TestCluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'galera-e2e-'));
  readonly processes = new Processes(this.dir);
  webhookPort = 0;
  tls: GeneratedTls | undefined;
  private plane: ControlPlane | undefined;

  /** Extra `galera-gitops serve` flags. */
  private webhookArgs: string[] = [];

  static async start(webhookArgs: string[] = []): Promise<TestCluster> {
    const cluster = new TestCluster();
    cluster.webhookArgs = webhookArgs;
    try {
      // No kubelet and no controllers here: only admission is under test, so pods need no
      // service-account tokens and the `kubernetes` Service no endpoints.
      cluster.plane = await ControlPlane.start(cluster.dir, cluster.processes, {
        address: '127.0.0.1',
        serviceRange: '10.96.0.0/12',
        extraArgs: ['--endpoint-reconciler-type=none', '--authorization-mode=RBAC', '--disable-admission-plugins=ServiceAccount'],
      });
      await cluster.startWebhook();
      cluster.registerWebhooks('Fail');
    } catch (error) {
      cluster.stop();
      throw error;
    }
    return cluster;
  }

  get controlPlane(): ControlPlane {
    if (this.plane === undefined) throw new Error('the control plane is not started');
    return this.plane;
  }

  get kubeconfig(): string {
    return this.controlPlane.kubeconfig;
  }

  get token(): string {
    return this.controlPlane.token;
  }

  get apiserverPort(): number {
    return this.controlPlane.port;
  }

  /** The CA that signed kube-apiserver's serving certificate. */
  get caFile(): string {
    return this.controlPlane.caFile;
  }

  private async startWebhook(): Promise<void> {
    this.tls = await generateTls(['127.0.0.1', 'localhost']);
    writeFileSync(join(this.dir, 'webhook.crt'), this.tls.cert);
    writeFileSync(join(this.dir, 'webhook.key'), this.tls.key);
    this.webhookPort = await freePort();
    this.processes.start('webhook', process.execPath, [MAIN, 'serve', '--port', String(this.webhookPort), '--host', '127.0.0.1', '--tls-cert', join(this.dir, 'webhook.crt'), '--tls-key', join(this.dir, 'webhook.key'), '--kubeconfig', this.kubeconfig, ...this.webhookArgs]);
    for (let i = 0; i < 100; i++) {
      await sleep(200);
      const ready = spawnSync('curl', ['-s', '--cacert', join(this.dir, 'webhook.crt'), `https://127.0.0.1:${String(this.webhookPort)}/readyz`], { encoding: 'utf8' });
      if (ready.stdout.includes('"cacheSynced":true')) return;
    }
    throw new Error(`the webhook did not become ready:\n${this.logTail('webhook')}`);
  }

  /**
   * (Re-)registers both webhook configurations by URL, with the chart's matchConditions or,
   * for bench/e2e-overhead, others (a condition that is always false: the registration's
   * own cost to the apiserver, without our filter's).
   */
  registerWebhooks(failurePolicy: 'Fail' | 'Ignore', conditions?: readonly { name: string; expression: string }[]): void {
    const tls = this.tls;
    if (tls === undefined) throw new Error('no webhook certificate');
    const hook = (name: string, path: string): unknown => ({
      name,
      clientConfig: { url: `https://127.0.0.1:${String(this.webhookPort)}${path}`, caBundle: tls.caBundle },
      rules: path === '/mutate' ? mutatingRules() : webhookRules(),
      matchConditions: conditions ?? (path === '/mutate' ? mutatingMatchConditions() : validatingMatchConditions()),
      sideEffects: 'None',
      admissionReviewVersions: ['v1'],
      timeoutSeconds: 5,
      failurePolicy,
      matchPolicy: 'Equivalent',
      namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', WEBHOOK_NAMESPACE] }] },
    });
    const configs = [
      { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'galera-gitops' }, webhooks: [hook('mutate.galera-gitops.io', '/mutate')] },
      { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'galera-gitops' }, webhooks: [hook('validate.galera-gitops.io', '/validate')] },
    ];
    this.apply(configs.map((c) => JSON.stringify(c)).join('\n---\n'), 'apply', '-f', '-');
  }

  unregisterWebhooks(): void {
    this.kubectl(['delete', 'validatingwebhookconfiguration,mutatingwebhookconfiguration', 'galera-gitops', '--ignore-not-found']);
  }

  kubectl(args: readonly string[], input?: string): Run {
    return this.controlPlane.kubectl(args, input);
  }

  /** kubectl with the manifest on stdin; throws with kubectl's stderr when it fails. */
  apply(manifest: string, ...args: string[]): Run {
    return this.controlPlane.apply(manifest, ...args);
  }

  stopWebhook(): void {
    this.processes.get('webhook')?.kill('SIGKILL');
  }

  logTail(name: string): string {
    return this.processes.logTail(name);
  }

  stop(): void {
    this.processes.killAll();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
