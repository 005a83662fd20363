/**
 * What Prometheus would scrape from a member's mysqld_exporter: its /metrics page, read
 * from inside the pod's network namespace (so a member cut off from the network is still
 * read), and the series the Galera alerts use, labelled the way the Prometheus Operator
 * labels a ServiceMonitor's targets (job = the Service, namespace, pod).
 */
import { podNetns } from './galera-faults.ts';
import type { GaleraPods } from './galera-pods.ts';
import { run } from './run.ts';

/** The series the generated alerts read. */
export const ALERT_METRICS = [
  'mysql_up',
  'mysql_global_status_wsrep_cluster_size',
  'mysql_global_status_wsrep_cluster_status',
  'mysql_global_status_wsrep_local_state',
  'mysql_global_status_wsrep_flow_control_paused_ns',
  'mysql_global_status_wsrep_local_cert_failures',
  'mysql_global_status_wsrep_local_commits',
] as const;

export type AlertMetric = (typeof ALERT_METRICS)[number];

/** One member's scrape: the value of each alert metric it exposes, and its target labels. */
export interface MemberScrape {
  labels: Record<string, string>;
  values: Partial<Record<AlertMetric, number>>;
}

const FETCH = "fetch('http://127.0.0.1:9104/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))";

/** The exporter's page of member `ordinal`, fetched on the pod's own loopback. */
export function exporterPage(cluster: GaleraPods, ordinal: number): string {
  return run('nsenter', [`--net=${podNetns(cluster, ordinal)}`, process.execPath, '-e', FETCH]);
}

/**
 * The unlabelled samples named in ALERT_METRICS from an exposition page. The exporter
 * writes these as `name value` lines (the `# HELP`/`# TYPE` lines and every other metric
 * are skipped).
 */
export function alertValues(page: string): Partial<Record<AlertMetric, number>> {
  const wanted = new Set<string>(ALERT_METRICS);
  const values: Partial<Record<AlertMetric, number>> = {};
  for (const line of page.split('\n')) {
    const [name, value, extra] = line.split(' ');
    if (name === undefined || value === undefined || extra !== undefined || !wanted.has(name)) continue;
    values[name as AlertMetric] = Number(value);
  }
  return values;
}

export function scrapeMember(cluster: GaleraPods, ordinal: number, job: string): MemberScrape {
  return {
    labels: { job, namespace: cluster.namespace, pod: `${cluster.name}-${String(ordinal)}` },
    values: alertValues(exporterPage(cluster, ordinal)),
  };
}
