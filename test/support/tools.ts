/**
 * The pinned real tools (kustomize, kube-apiserver, kubectl, etcd, helm, the node's kubelet,
 * controller manager, scheduler and CoreDNS, mysqld_exporter, promtool, versitygw, the Argo CD, Flux,
 * cert-manager and Prometheus Operator CRDs), installed by
 * scripts/tools.sh into .cache/tools. A test that needs one calls this: when the cache is
 * missing it runs the script; when that fails the test fails with how to fix it. No skip.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'tools.sh');

export interface Tools {
  kustomize: string;
  argocdCrds: string;
  fluxCrds: string;
  kubeApiserver: string;
  kubectl: string;
  etcd: string;
  helm: string;
  certManagerCrds: string;
  kubelet: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  coredns: string;
  /** Kubernetes' build/pause/linux/pause.c of the pinned release (the pod sandbox). */
  pauseSource: string;
  mysqldExporter: string;
  promtool: string;
  /** ServiceMonitor and PrometheusRule CRDs. */
  monitoringCrds: string;
  /** wgpolicyk8s.io PolicyReport and ClusterPolicyReport CRDs (from Kyverno's module). */
  policyReportCrds: string;
  /** An S3 server (posix backend), for backups to a bucket. */
  versitygw: string;
}

let cached: Tools | undefined;

function parse(stdout: string): Tools {
  const value = (key: string): string => {
    const line = stdout.split('\n').find((l) => l.startsWith(`${key}=`));
    if (line === undefined) throw new Error(`scripts/tools.sh printed no ${key}=`);
    return line.slice(key.length + 1);
  };
  return { kustomize: value('kustomize'), argocdCrds: value('argocd_crds'), fluxCrds: value('flux_crds'), kubeApiserver: value('kube_apiserver'), kubectl: value('kubectl'), etcd: value('etcd'), helm: value('helm'), certManagerCrds: value('certmanager_crds'),
    kubelet: value('kubelet'), kubeControllerManager: value('kube_controller_manager'), kubeScheduler: value('kube_scheduler'), coredns: value('coredns'), pauseSource: value('pause_source'),
    mysqldExporter: value('mysqld_exporter'), promtool: value('promtool'), monitoringCrds: value('monitoring_crds'), policyReportCrds: value('policy_report_crds'), versitygw: value('versitygw') };
}

export function tools(): Tools {
  if (cached !== undefined) return cached;
  const printed = spawnSync('bash', [SCRIPT, '--print'], { encoding: 'utf8' });
  if (printed.status === 0) {
    cached = parse(printed.stdout);
    return cached;
  }
  const installed = spawnSync('bash', [SCRIPT], { encoding: 'utf8', timeout: 40 * 60_000 });
  if (installed.status !== 0) {
    throw new Error(
      `the pinned kustomize and CRDs are missing and scripts/tools.sh could not install them (exit ${String(installed.status)}):\n${installed.stderr}\n` +
        'Install Go 1.26+ and unzip, make sure the Go module proxy is reachable, then run scripts/tools.sh (the first build of kube-apiserver takes minutes).',
    );
  }
  cached = parse(installed.stdout);
  return cached;
}

/** `kustomize build DIR`, failing the test with kustomize's own error. */
export function kustomizeBuild(dir: string): string {
  const result = spawnSync(tools().kustomize, ['build', dir], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`kustomize build ${dir} failed:\n${result.stderr}`);
  return result.stdout;
}
