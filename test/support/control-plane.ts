/**
 * etcd and a real kube-apiserver, the way controller-runtime's envtest starts them: free
 * ports, a work dir of their own, service-account keys and tokens made for the run (never
 * committed), a CA made for the run whose serving certificate names every address a
 * client may use. The admission-only harness (cluster.ts) and the real node (node.ts)
 * both stand on it.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateTls } from '../../webhook/tls.ts';
import { kubeconfig } from './node-config.ts';
import { freePort } from './ports.ts';
import { Processes, sleep } from './processes.ts';
import { tools } from './tools.ts';

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface ControlPlaneOptions {
  /** The address kube-apiserver listens on and advertises (loopback, or the node's bridge). */
  address: string;
  serviceRange: string;
  /** Extra `token,user,uid,"group"` lines, for the node's kubelet. */
  tokens?: string[];
  extraArgs?: string[];
}

export class ControlPlane {
  readonly token = randomBytes(16).toString('hex');
  readonly kubeconfig: string;
  readonly caFile: string;
  readonly saKey: string;
  port = 0;
  readonly dir: string;
  readonly processes: Processes;
  readonly address: string;

  private constructor(dir: string, processes: Processes, address: string) {
    this.dir = dir;
    this.processes = processes;
    this.address = address;
    this.kubeconfig = join(dir, 'kubeconfig');
    this.caFile = join(dir, 'ca.crt');
    this.saKey = join(dir, 'sa.key');
  }

  get server(): string {
    return `https://${this.address}:${String(this.port)}`;
  }

  static async start(dir: string, processes: Processes, options: ControlPlaneOptions): Promise<ControlPlane> {
    const plane = new ControlPlane(dir, processes, options.address);
    await plane.startEtcd();
    await plane.startApiserver(options);
    return plane;
  }

  private async startEtcd(): Promise<void> {
    const [client, peer] = [await freePort(), await freePort()];
    this.etcdUrl = `http://127.0.0.1:${String(client)}`;
    this.processes.start('etcd', tools().etcd, [
      '--name', 'test', '--data-dir', join(this.dir, 'etcd'),
      '--listen-client-urls', this.etcdUrl, '--advertise-client-urls', this.etcdUrl,
      '--listen-peer-urls', `http://127.0.0.1:${String(peer)}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${String(peer)}`,
      '--initial-cluster', `test=http://127.0.0.1:${String(peer)}`, '--unsafe-no-fsync', '--listen-metrics-urls', '',
    ]);
  }

  private etcdUrl = '';

  private async startApiserver(options: ControlPlaneOptions): Promise<void> {
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(this.saKey, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(this.dir, 'sa.pub'), keys.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(this.dir, 'tokens.csv'), [`${this.token},admin,admin-uid,system:masters`, ...(options.tokens ?? [])].join('\n') + '\n');
    // The first address of the service range is the `kubernetes` Service's: pods reach the
    // apiserver by that name, so the certificate names it too.
    const serviceIp = options.serviceRange.replace(/\.0\/\d+$/, '.1');
    const tls = await generateTls([options.address, '127.0.0.1', 'localhost', serviceIp, 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']);
    writeFileSync(this.caFile, tls.caCert);
    writeFileSync(join(this.dir, 'apiserver.crt'), tls.cert);
    writeFileSync(join(this.dir, 'apiserver.key'), tls.key);
    this.port = await freePort();
    this.apiserverArgs = [
      `--etcd-servers=${this.etcdUrl}`,
      `--secure-port=${String(this.port)}`, `--bind-address=${options.address}`, `--advertise-address=${options.address}`,
      `--tls-cert-file=${join(this.dir, 'apiserver.crt')}`, `--tls-private-key-file=${join(this.dir, 'apiserver.key')}`, `--cert-dir=${join(this.dir, 'certs')}`,
      '--service-account-issuer=https://kubernetes.default.svc', `--service-account-key-file=${join(this.dir, 'sa.pub')}`, `--service-account-signing-key-file=${this.saKey}`,
      `--service-cluster-ip-range=${options.serviceRange}`, `--token-auth-file=${join(this.dir, 'tokens.csv')}`,
      '--allow-privileged=true',
      ...(options.extraArgs ?? []),
    ];
    this.processes.start('kube-apiserver', tools().kubeApiserver, this.apiserverArgs);
    writeFileSync(this.kubeconfig, kubeconfig(this.server, this.caFile, 'admin', this.token));
    await this.waitForApiserver();
  }

  private apiserverArgs: string[] = [];

  /** Stops kube-apiserver (etcd keeps the data); `startApiserver` brings it back on the same port. */
  async stopApiserver(): Promise<void> {
    await this.processes.stop('kube-apiserver');
  }

  async restartApiserver(): Promise<void> {
    this.processes.start('kube-apiserver', tools().kubeApiserver, this.apiserverArgs);
    await this.waitForApiserver();
  }

  private async waitForApiserver(): Promise<void> {
    for (let i = 0; i < 240; i++) {
      await sleep(500);
      this.processes.assertRunning('kube-apiserver');
      if (this.kubectl(['get', '--raw', '/readyz']).stdout === 'ok') return;
    }
    throw new Error(`kube-apiserver did not become ready:\n${this.processes.logTail('kube-apiserver')}`);
  }

  kubectl(args: readonly string[], input?: string): Run {
    const r = spawnSync(tools().kubectl, ['--kubeconfig', this.kubeconfig, ...args], { input: input ?? '', encoding: 'utf8', maxBuffer: 1 << 26 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** kubectl with the manifest on stdin (`apply -f -` by default); throws with kubectl's stderr when it fails. */
  apply(manifest: string, ...args: string[]): Run {
    const r = this.kubectl(args.length === 0 ? ['apply', '-f', '-'] : args, manifest);
    if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed:\n${r.stderr}`);
    return r;
  }
}
