/**
 * charts/galera-gitops-webhook installed with the pinned helm on the real node, and kubectl
 * run without blocking the event loop, so that a load of admission requests keeps going
 * while a test waits for something else.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Run } from './control-plane.ts';
import type { Image } from './images.ts';
import type { RealNode } from './node.ts';
import { ROOT } from './paths.ts';
import { tools } from './tools.ts';

export const CHART = join(ROOT, 'charts', 'galera-gitops-webhook');

export interface ChartRelease {
  release: string;
  namespace: string;
  /** The chart's fullname: Deployment, Service, PodDisruptionBudget. */
  fullname: string;
  /** Selects the webhook's pods. */
  selector: string;
}

/**
 * `helm install` of the chart with `image`, `Never` pulled (the node has it loaded), and the
 * in-cluster credentials pointed at kube-apiserver's bridge address: the node has no
 * kube-proxy, so the `kubernetes` Service address does not route.
 */
export function helmInstall(node: RealNode, image: Image, release = 'galera-gitops', namespace = 'galera-gitops', ...sets: string[]): ChartRelease {
  const colon = image.ref.lastIndexOf(':');
  const env = [
    { name: 'KUBERNETES_SERVICE_HOST', value: node.layout.bridgeIp },
    { name: 'KUBERNETES_SERVICE_PORT', value: String(node.controlPlane.port) },
  ];
  const args = [
    'install', release, CHART, '--kubeconfig', node.kubeconfig, '--namespace', namespace, '--create-namespace',
    '--set', `image.repository=${image.ref.slice(0, colon)}`, '--set', `image.tag=${image.ref.slice(colon + 1)}`, '--set', 'image.pullPolicy=Never',
    '--set-json', `extraEnv=${JSON.stringify(env)}`, ...sets.flatMap((s) => ['--set', s]),
  ];
  const r = spawnSync(tools().helm, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`helm ${args.join(' ')} failed:\n${r.stderr}`);
  const fullname = release.includes('galera-gitops-webhook') ? release : `${release}-galera-gitops-webhook`;
  return { release, namespace, fullname, selector: `app.kubernetes.io/name=galera-gitops-webhook,app.kubernetes.io/instance=${release}` };
}

/** kubectl against the node, asynchronously. */
export function kubectlAsync(node: RealNode, args: readonly string[], input = ''): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(tools().kubectl, ['--kubeconfig', node.kubeconfig, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (error) => {
      resolve({ status: null, stdout, stderr: stderr + error.message });
    });
    child.on('close', (status) => {
      resolve({ status, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

export interface WebhookPod {
  name: string;
  phase: string;
  ready: boolean;
  restarts: number;
  deleting: boolean;
}

interface PodList {
  items: {
    metadata: { name: string; deletionTimestamp?: string };
    status: { phase?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { restartCount: number }[] };
  }[];
}

export function webhookPods(json: string): WebhookPod[] {
  return (JSON.parse(json) as PodList).items.map((p) => ({
    name: p.metadata.name,
    phase: p.status.phase ?? '',
    ready: p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    restarts: p.status.containerStatuses?.reduce((sum, c) => sum + c.restartCount, 0) ?? 0,
    deleting: p.metadata.deletionTimestamp !== undefined,
  }));
}

export interface LoadResult {
  requests: number;
  failures: { at: number; stderr: string }[];
  /** Completion times (ms since the start) of every request. */
  completed: number[];
}

/**
 * Keeps `concurrency` kubectl commands (each one admission request through the apiserver)
 * running back to back until `stop()`; counts requests and keeps every failure's stderr.
 */
export function admissionLoad(node: RealNode, args: readonly string[], input: string, concurrency: number): { stop(): Promise<LoadResult>; startedAt: number } {
  const startedAt = Date.now();
  const result: LoadResult = { requests: 0, failures: [], completed: [] };
  let running = true;
  const worker = async (): Promise<void> => {
    while (running) {
      const r = await kubectlAsync(node, args, input);
      const at = Date.now() - startedAt;
      result.requests++;
      result.completed.push(at);
      if (r.status !== 0) result.failures.push({ at, stderr: r.stderr.trim() });
    }
  };
  const workers = Array.from({ length: concurrency }, () => worker());
  return {
    startedAt,
    stop: async () => {
      running = false;
      await Promise.all(workers);
      return result;
    },
  };
}
