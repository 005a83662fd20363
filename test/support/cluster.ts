/**
 * A real Kubernetes control plane for end-to-end admission tests, the way
 * controller-runtime's envtest does it: etcd and kube-apiserver on loopback with free
 * ports, temporary folders and an admin token of their own (no kubelet, no controllers),
 * our webhook (`galera-gitops serve`, the built CLI) with a CA made for the run, and the
 * Validating/MutatingWebhookConfigurations registered by URL with that caBundle.
 * Everything it starts is stopped by `stop()`, which the tests call in `after`, also when
 * a test failed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTls, type GeneratedTls } from '../../webhook/tls.ts';
import { freePort } from './ports.ts';
import { tools } from './tools.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
export const WEBHOOK_NAMESPACE = 'galera-gitops';


const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The mutating webhook only ever patches Services: registering it for less saves every other create a call. */
export function mutatingRules(): unknown[] {
  return [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['services'], scope: 'Namespaced' }];
}

/** The validating admission rules, as the chart will ship them. */
export function webhookRules(): unknown[] {
  const ops = ['CREATE', 'UPDATE'];
  return [
    { apiGroups: ['apps'], apiVersions: ['v1'], operations: ops, resources: ['statefulsets', 'statefulsets/scale', 'deployments', 'replicasets', 'daemonsets'], scope: 'Namespaced' },
    { apiGroups: [''], apiVersions: ['v1'], operations: ops, resources: ['services', 'persistentvolumeclaims'], scope: 'Namespaced' },
    { apiGroups: ['autoscaling'], apiVersions: ['v1', 'v2'], operations: ops, resources: ['horizontalpodautoscalers'], scope: 'Namespaced' },
  ];
}

export class TestCluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'galera-e2e-'));
  readonly kubeconfig = join(this.dir, 'kubeconfig');
  readonly token = randomBytes(16).toString('hex');
  apiserverPort = 0;
  webhookPort = 0;
  tls: GeneratedTls | undefined;
  private etcd: ChildProcess | undefined;
  private apiserver: ChildProcess | undefined;
  private webhook: ChildProcess | undefined;

  static async start(): Promise<TestCluster> {
    const cluster = new TestCluster();
    try {
      await cluster.startControlPlane();
      await cluster.startWebhook();
      cluster.registerWebhooks('Fail');
    } catch (error) {
      cluster.stop();
      throw error;
    }
    return cluster;
  }

  private log(name: string): number {
    return openSync(join(this.dir, `${name}.log`), 'a');
  }

  private async startControlPlane(): Promise<void> {
    const t = tools();
    const [client, peer] = [await freePort(), await freePort()];
    this.etcd = spawn(t.etcd, [
      '--name', 'e2e', '--data-dir', join(this.dir, 'etcd'),
      '--listen-client-urls', `http://127.0.0.1:${String(client)}`, '--advertise-client-urls', `http://127.0.0.1:${String(client)}`,
      '--listen-peer-urls', `http://127.0.0.1:${String(peer)}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${String(peer)}`,
      '--initial-cluster', `e2e=http://127.0.0.1:${String(peer)}`, '--unsafe-no-fsync',
    ], { stdio: ['ignore', this.log('etcd'), this.log('etcd')] });

    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(this.dir, 'sa.key'), keys.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(this.dir, 'sa.pub'), keys.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(this.dir, 'tokens.csv'), `${this.token},admin,admin-uid,system:masters\n`);
    mkdirSync(join(this.dir, 'certs'));
    this.apiserverPort = await freePort();
    this.apiserver = spawn(t.kubeApiserver, [
      `--etcd-servers=http://127.0.0.1:${String(client)}`,
      `--secure-port=${String(this.apiserverPort)}`, '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', '--endpoint-reconciler-type=none',
      `--cert-dir=${join(this.dir, 'certs')}`,
      '--service-account-issuer=https://kubernetes.default.svc', `--service-account-key-file=${join(this.dir, 'sa.pub')}`, `--service-account-signing-key-file=${join(this.dir, 'sa.key')}`,
      '--service-cluster-ip-range=10.0.0.0/24', `--token-auth-file=${join(this.dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC', '--allow-privileged=true', '--disable-admission-plugins=ServiceAccount',
    ], { stdio: ['ignore', this.log('kube-apiserver'), this.log('kube-apiserver')] });

    writeFileSync(this.kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'clusters:', '- name: e2e', '  cluster:', `    server: https://127.0.0.1:${String(this.apiserverPort)}`, `    certificate-authority: ${join(this.dir, 'certs', 'apiserver.crt')}`,
      'users:', '- name: admin', '  user:', `    token: ${this.token}`, 'contexts:', '- name: e2e', '  context: {cluster: e2e, user: admin}', 'current-context: e2e', '',
    ].join('\n'));
    for (let i = 0; i < 240; i++) {
      await sleep(500);
      if (this.apiserver.exitCode !== null) throw new Error(`kube-apiserver exited:\n${this.logTail('kube-apiserver')}`);
      if (this.kubectl(['get', '--raw', '/readyz']).stdout === 'ok') return;
    }
    throw new Error(`kube-apiserver did not become ready:\n${this.logTail('kube-apiserver')}`);
  }

  private async startWebhook(): Promise<void> {
    this.tls = await generateTls(['127.0.0.1', 'localhost']);
    writeFileSync(join(this.dir, 'webhook.crt'), this.tls.cert);
    writeFileSync(join(this.dir, 'webhook.key'), this.tls.key);
    this.webhookPort = await freePort();
    this.webhook = spawn(process.execPath, [MAIN, 'serve', '--port', String(this.webhookPort), '--host', '127.0.0.1', '--tls-cert', join(this.dir, 'webhook.crt'), '--tls-key', join(this.dir, 'webhook.key'), '--kubeconfig', this.kubeconfig], { stdio: ['ignore', this.log('webhook'), this.log('webhook')] });
    for (let i = 0; i < 100; i++) {
      await sleep(200);
      const ready = spawnSync('curl', ['-s', '--cacert', join(this.dir, 'webhook.crt'), `https://127.0.0.1:${String(this.webhookPort)}/readyz`], { encoding: 'utf8' });
      if (ready.stdout.includes('"cacheSynced":true')) return;
    }
    throw new Error(`the webhook did not become ready:\n${this.logTail('webhook')}`);
  }

  /** (Re-)registers both webhook configurations by URL. */
  registerWebhooks(failurePolicy: 'Fail' | 'Ignore'): void {
    const tls = this.tls;
    if (tls === undefined) throw new Error('no webhook certificate');
    const hook = (name: string, path: string): unknown => ({
      name,
      clientConfig: { url: `https://127.0.0.1:${String(this.webhookPort)}${path}`, caBundle: tls.caBundle },
      rules: path === '/mutate' ? mutatingRules() : webhookRules(),
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

  kubectl(args: string[], input?: string): Run {
    const r = spawnSync(tools().kubectl, ['--kubeconfig', this.kubeconfig, ...args], { input: input ?? '', encoding: 'utf8', maxBuffer: 1 << 26 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** kubectl with the manifest on stdin; throws with kubectl's stderr when it fails. */
  apply(manifest: string, ...args: string[]): Run {
    const r = this.kubectl(args.length === 0 ? ['apply', '-f', '-'] : args, manifest);
    if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed:\n${r.stderr}`);
    return r;
  }

  stopWebhook(): void {
    this.webhook?.kill('SIGKILL');
  }

  logTail(name: string): string {
    try {
      return readFileSync(join(this.dir, `${name}.log`), 'utf8').slice(-3000);
    } catch {
      return '';
    }
  }

  stop(): void {
    for (const child of [this.webhook, this.apiserver, this.etcd]) child?.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
