/**
 * A real single-node Kubernetes v1.37.2 in a work dir: etcd, kube-apiserver, controller
 * manager, scheduler, containerd, kubelet, a CNI bridge and CoreDNS, as
 * ../shared/docs/real-node.md describes. `RealNode.start()` returns when the node is Ready
 * and the default ServiceAccount exists; `stop()` removes every process, mount, cgroup,
 * link and folder it made. It never changes the host's firewall, forwarding or sysctls:
 * containerd and the kubelet run in a private mount namespace where the paths and kernel
 * settings they insist on writing are bound to files of the work dir.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlPlane, type Run } from './control-plane.ts';
import { type Image, pauseImage } from './images.ts';
import { containerdConfig, cniConfig, corefile, GUARDED_SYSCTLS, HARD_CODED_DIRS, kubeconfig, kubeletConfig, type NodeLayout } from './node-config.ts';
import { ROOT } from './paths.ts';
import { freePort } from './ports.ts';
import { NodeCgroups } from './node-cgroups.ts';
import { Processes, sleep } from './processes.ts';
import { requireCommands, run } from './run.ts';
import { acquireDirs, releaseDirs } from './shared-dirs.ts';
import { tools } from './tools.ts';

const NODE_NAME = 'galera-node';
const SERVICE_RANGE = '10.96.0.0/24';

/** Start-up figures, for docs/real-node.md. */
export interface NodeTimings {
  apiserverReadyMs: number;
  nodeReadyMs: number;
  serviceAccountMs: number;
}

export class RealNode {
  readonly id = randomBytes(3).toString('hex');
  readonly dir = mkdtempSync(join(tmpdir(), 'galera-node-'));
  readonly processes = new Processes(this.dir);
  readonly layout: NodeLayout;
  readonly timings: NodeTimings = { apiserverReadyMs: 0, nodeReadyMs: 0, serviceAccountMs: 0 };
  private plane: ControlPlane | undefined;
  private holderPid = 0;
  private dirsAcquired = false;
  private readonly loaded = new Set<string>();
  readonly cgroups: NodeCgroups;

  private constructor(kubeletPort: number, pause: Image) {
    const third = 1 + (parseInt(this.id, 16) % 250);
    this.layout = {
      dir: this.dir,
      name: NODE_NAME,
      bridge: `ggn${this.id}`,
      bridgeIp: `10.244.${String(third)}.1`,
      subnet: `10.244.${String(third)}.0/24`,
      cgroupRoot: `/galera-gitops-${this.id}`,
      containerdSocket: join(this.dir, 'containerd', 'containerd.sock'),
      kubeletPort,
      pauseImage: pause.ref,
    };
    this.cgroups = new NodeCgroups(this.layout.cgroupRoot);
  }

  static async start(): Promise<RealNode> {
    requireCommands({ containerd: 'containerd', runc: 'runc', ctr: 'containerd', ip: 'iproute2', unshare: 'util-linux', nsenter: 'util-linux' });
    if (!existsSync('/usr/lib/cni/bridge')) requireCommands({ 'cni-bridge-plugin-missing': 'containernetworking-plugins' });
    tools();
    const pause = pauseImage();
    const node = new RealNode(await freePort(), pause);
    const begin = Date.now();
    // Interrupted (Ctrl-C, a CI timeout's SIGTERM): the node is taken down before the process
    // ends, so no process, cgroup, bridge or mount outlives the run.
    process.once('SIGINT', node.onSignal).once('SIGTERM', node.onSignal);
    try {
      node.createBridge();
      node.cgroups.create();
      await node.startControlPlane();
      node.timings.apiserverReadyMs = Date.now() - begin;
      await node.startNamespace();
      await node.startContainerd();
      node.loadImage(pause);
      await node.startKubelet();
      await node.startCoreDns();
      await node.waitFor('the node to be Ready', 120_000, () => node.kubectl(['get', 'node', NODE_NAME, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']).stdout === 'True');
      node.timings.nodeReadyMs = Date.now() - begin;
      await node.waitFor('the default ServiceAccount', 120_000, () => node.kubectl(['get', 'serviceaccount', 'default', '-n', 'default']).status === 0);
      node.timings.serviceAccountMs = Date.now() - begin;
      node.apply(JSON.stringify({
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: 'local', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
        provisioner: 'kubernetes.io/no-provisioner',
        volumeBindingMode: 'WaitForFirstConsumer',
      }));
    } catch (error) {
      await node.stop();
      throw error;
    }
    return node;
  }

  get controlPlane(): ControlPlane {
    if (this.plane === undefined) throw new Error('the control plane is not started');
    return this.plane;
  }

  get kubeconfig(): string {
    return this.controlPlane.kubeconfig;
  }

  kubectl(args: readonly string[], input?: string): Run {
    return this.controlPlane.kubectl(args, input);
  }

  /** Runs a command inside the node's mount namespace (a mount made there goes away with the node). */
  inMountNamespace(command: string, args: readonly string[]): string {
    return run('nsenter', ['--target', String(this.holderPid), '--mount', '--', command, ...args]);
  }

  apply(manifest: string, ...args: string[]): Run {
    return this.controlPlane.apply(manifest, ...args);
  }

  async waitFor(what: string, timeoutMs: number, check: () => boolean, intervalMs = 500): Promise<number> {
    const begin = Date.now();
    while (Date.now() - begin < timeoutMs) {
      if (check()) return Date.now() - begin;
      await sleep(intervalMs);
    }
    throw new Error(`timed out after ${String(timeoutMs / 1000)} s waiting for ${what}`);
  }

  private createBridge(): void {
    const { bridge, bridgeIp } = this.layout;
    run('ip', ['link', 'add', bridge, 'type', 'bridge']);
    run('ip', ['addr', 'add', `${bridgeIp}/24`, 'dev', bridge]);
    run('ip', ['link', 'set', bridge, 'up']);
  }

  private async startControlPlane(): Promise<void> {
    const nodeToken = randomBytes(16).toString('hex');
    this.plane = await ControlPlane.start(this.dir, this.processes, {
      address: this.layout.bridgeIp,
      serviceRange: SERVICE_RANGE,
      tokens: [`${nodeToken},system:node:${NODE_NAME},node-uid,"system:nodes"`],
      extraArgs: ['--authorization-mode=Node,RBAC', '--kubelet-preferred-address-types=InternalIP', '--enable-aggregator-routing=true'],
    });
    writeFileSync(join(this.dir, 'kubelet.kubeconfig'), kubeconfig(this.plane.server, this.plane.caFile, `system:node:${NODE_NAME}`, nodeToken));
    const common = ['--kubeconfig', this.plane.kubeconfig, '--leader-elect=false', '--secure-port=0'];
    this.processes.start('kube-controller-manager', tools().kubeControllerManager, [
      ...common, `--service-account-private-key-file=${this.plane.saKey}`, `--root-ca-file=${this.plane.caFile}`,
      '--use-service-account-credentials', '--controllers=*,-nodeipam', '--cluster-name=galera-gitops-test',
    ]);
    this.processes.start('kube-scheduler', tools().kubeScheduler, common);
  }

  /**
   * The private mount namespace: a holder process keeps it alive; containerd and the
   * kubelet enter it with nsenter. Its mounts vanish with it, whatever happens.
   */
  private async startNamespace(): Promise<void> {
    const mounts: string[] = [];
    acquireDirs(this.id, HARD_CODED_DIRS);
    this.dirsAcquired = true;
    for (const path of HARD_CODED_DIRS) {
      const own = join(this.dir, 'mnt', path.replace(/\//g, '_'));
      mkdirSync(own, { recursive: true });
      mounts.push(`mount --bind ${own} ${path}`);
    }
    mkdirSync(join(this.dir, 'sysctl'));
    for (const key of GUARDED_SYSCTLS) {
      const file = join(this.dir, 'sysctl', key.replace(/\//g, '.'));
      writeFileSync(file, readFileSync(`/proc/sys/${key}`));
      mounts.push(`mount --bind ${file} /proc/sys/${key}`);
    }
    const ready = join(this.dir, 'namespace-ready');
    const holder = this.processes.start('namespace', 'unshare', ['--mount', '--propagation', 'private', 'bash', '-euc', `${mounts.join('\n')}\ntouch ${ready}\nexec sleep infinity`]);
    await this.waitFor('the mount namespace', 10_000, () => {
      this.processes.assertRunning('namespace');
      return existsSync(ready);
    }, 100);
    this.holderPid = holder.pid ?? 0;
  }

  /** Runs `command` inside the node's mount namespace and cgroup. */
  private startInNamespace(name: string, command: string, args: readonly string[]): void {
    this.processes.start(name, 'bash', ['-c', `echo $$ > ${this.cgroups.runtimeProcs} && exec nsenter --target ${String(this.holderPid)} --mount -- "$@"`, name, command, ...args]);
  }

  private async startContainerd(): Promise<void> {
    for (const dir of ['containerd', 'cni/net.d', 'cni/ipam', 'pod-logs', 'kubelet']) mkdirSync(join(this.dir, dir), { recursive: true });
    writeFileSync(join(this.dir, 'containerd.toml'), containerdConfig(this.layout));
    writeFileSync(join(this.dir, 'cni', 'net.d', '10-galera-gitops.conflist'), cniConfig(this.layout));
    this.startInNamespace('containerd', 'containerd', ['--config', join(this.dir, 'containerd.toml')]);
    await this.waitFor('containerd', 30_000, () => {
      this.processes.assertRunning('containerd');
      return existsSync(this.layout.containerdSocket) && this.ctr(['version']).status === 0;
    }, 200);
  }

  private ctr(args: readonly string[]): { status: number | null; stderr: string } {
    try {
      run('ctr', ['--address', this.layout.containerdSocket, '--namespace', 'k8s.io', ...args]);
      return { status: 0, stderr: '' };
    } catch (error) {
      return { status: 1, stderr: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Imports an image into the node's containerd (the CRI namespace), once. */
  loadImage(image: Image): void {
    if (this.loaded.has(image.ref)) return;
    const r = this.ctr(['images', 'import', image.archive]);
    if (r.status !== 0) throw new Error(`ctr images import ${image.archive} failed:\n${r.stderr}`);
    this.loaded.add(image.ref);
  }

  private async startKubelet(): Promise<void> {
    writeFileSync(join(this.dir, 'resolv.conf'), 'search cluster.local\n');
    writeFileSync(join(this.dir, 'kubelet.json'), kubeletConfig(this.layout));
    this.startInNamespace('kubelet', tools().kubelet, [
      `--config=${join(this.dir, 'kubelet.json')}`, `--kubeconfig=${join(this.dir, 'kubelet.kubeconfig')}`,
      `--root-dir=${join(this.dir, 'kubelet')}`, `--cert-dir=${join(this.dir, 'kubelet-pki')}`,
      `--node-ip=${this.layout.bridgeIp}`, `--hostname-override=${NODE_NAME}`, '--v=1',
    ]);
    await this.waitFor('the kubelet to register the node', 60_000, () => {
      this.processes.assertRunning('kubelet');
      return this.kubectl(['get', 'node', NODE_NAME]).status === 0;
    });
  }

  private async startCoreDns(): Promise<void> {
    writeFileSync(join(this.dir, 'Corefile'), corefile(this.layout, this.controlPlane.kubeconfig));
    this.processes.start('coredns', tools().coredns, ['-conf', join(this.dir, 'Corefile')]);
    await this.waitFor('CoreDNS', 30_000, () => {
      this.processes.assertRunning('coredns');
      return this.processes.logTail('coredns').includes('CoreDNS-');
    }, 200);
  }

  /** Resident memory of each part, in MiB (docs/real-node.md). */
  memory(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const name of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'containerd', 'kubelet', 'coredns']) {
      const pid = this.processes.get(name)?.pid;
      if (pid === undefined) continue;
      const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
      const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
      if (kb !== undefined) out[name] = Math.round(Number(kb) / 1024);
    }
    return out;
  }

  /** Stops everything and removes everything it made; safe to call on a half-started node. */
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    void this.stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };

  async stop(): Promise<void> {
    process.off('SIGINT', this.onSignal).off('SIGTERM', this.onSignal);
    const errors: string[] = [];
    const step = async (what: string, action: () => void | Promise<void>): Promise<void> => {
      try {
        await action();
      } catch (error) {
        errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    // The kubelet first, so that it restarts nothing; then every process in the node's
    // cgroups (containers outlive containerd), then the namespace holder, whose mounts go with it.
    await step('kubelet', () => this.processes.stop('kubelet', 2000));
    await step('pods and containerd', () => this.cgroups.killAll());
    await step('stop processes', () => this.processes.stopAll(5000));
    await step('cgroups', () => this.cgroups.remove());
    await step('bridge', async () => {
      if (run('ip', ['-o', 'link', 'show']).includes(`${this.layout.bridge}:`)) {
        // Pod network namespaces die with the mount namespace that pinned them; their veths go with them.
        for (let i = 0; i < 50 && run('ip', ['-o', 'link', 'show', 'master', this.layout.bridge]).trim() !== ''; i++) await sleep(100);
        run('ip', ['link', 'del', this.layout.bridge]);
      }
    });
    await step('directories', () => {
      if (this.dirsAcquired) releaseDirs(this.id);
      this.dirsAcquired = false;
    });
    await step('logs', () => {
      // The last run's logs stay in the project's cache for a failure to be read.
      const logs = join(ROOT, '.cache', 'node-logs');
      rmSync(logs, { recursive: true, force: true });
      mkdirSync(logs, { recursive: true });
      for (const file of readdirSync(this.dir).filter((f) => f.endsWith('.log'))) cpSync(join(this.dir, file), join(logs, file));
    });
    await step('work dir', () => {
      rmSync(this.dir, { recursive: true, force: true });
    });
    if (errors.length > 0) throw new Error(`the node was not cleaned up completely:\n${errors.join('\n')}`);
  }
}
