/**
 * The alerts a Galera operator watches, as Prometheus rules over mysqld_exporter's metrics
 * (the `global_status` collector turns every wsrep_* status variable into
 * mysql_global_status_wsrep_*). Each expression is tested with promtool against series
 * scraped from a running member (test/galera-production.test.ts), so the metric names and
 * labels are the exporter's real ones.
 */
import type { ClusterSpec, Environment } from '../spec-types.ts';

export interface Alert {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: 'critical' | 'warning' };
  annotations: { summary: string; description: string };
}

/** The label selector of one environment's members, as the ServiceMonitor's scrape labels them. */
export const metricsJob = (spec: ClusterSpec): string => `${spec.name}-metrics`;

export function alerts(spec: ClusterSpec, env: Environment): Alert[] {
  const sel = `job="${metricsJob(spec)}", namespace="${env.namespace}"`;
  const members = env.members;
  const quorum = Math.floor(members / 2) + 1;
  const alert = (name: string, severity: 'critical' | 'warning', expr: string, wait: string, summary: string, description: string): Alert => ({
    alert: name,
    expr,
    for: wait,
    labels: { severity },
    annotations: { summary, description },
  });
  return [
    alert('GaleraMemberDown', 'warning', `mysql_up{${sel}} == 0`, '2m', 'A Galera member does not answer',
      `{{ $labels.pod }} in ${env.namespace}: the exporter cannot log in to the server for 2 minutes (server down, starting, or the monitoring password out of date).`),
    alert('GaleraClusterSizeLow', 'warning', `max(mysql_global_status_wsrep_cluster_size{${sel}}) < ${String(members)}`, '5m', 'Galera cluster is missing members',
      `${spec.name} in ${env.namespace} has {{ $value }} of ${String(members)} members in its Primary component for 5 minutes; one more failure may cost quorum.`),
    // With 3 or more members: one more failure and the rest lose quorum.
    ...(members >= 3
      ? [alert('GaleraQuorumAtRisk', 'critical', `max(mysql_global_status_wsrep_cluster_size{${sel}}) <= ${String(quorum)}`, '5m', 'Galera cluster one failure away from losing quorum',
          `${spec.name} in ${env.namespace} has {{ $value }} members in its Primary component; ${String(quorum)} of ${String(members)} are needed for quorum.`)]
      : []),
    alert('GaleraNoPrimaryComponent', 'critical', `absent(mysql_global_status_wsrep_cluster_status{${sel}} == 1)`, '2m', 'No Galera member is in a Primary component',
      `${spec.name} in ${env.namespace} serves no queries: no member reports a Primary component (all down, or a full-cluster recovery waiting; see docs/recovery.md).`),
    alert('GaleraNotPrimary', 'critical', `mysql_global_status_wsrep_cluster_status{${sel}} != 1 and on(pod) mysql_up{${sel}} == 1`, '1m', 'A Galera member is outside the Primary component',
      `{{ $labels.pod }} in ${env.namespace} is running but not in the Primary component: it refuses queries (partitioned, or waiting for a cluster recovery).`),
    alert('GaleraMemberNotSynced', 'warning', `mysql_global_status_wsrep_local_state{${sel}} != 4`, '15m', 'A Galera member is not Synced',
      `{{ $labels.pod }} in ${env.namespace} has been in state {{ $value }} (1 joining, 2 donor, 3 joined; 4 is Synced) for 15 minutes: a state transfer is slow or stuck.`),
    alert('GaleraFlowControlPaused', 'warning', `rate(mysql_global_status_wsrep_flow_control_paused_ns{${sel}}[5m]) / 1e9 > 0.1`, '10m', 'Galera replication is throttled by flow control',
      `{{ $labels.pod }} in ${env.namespace} pauses replication for flow control {{ $value | humanizePercentage }} of the time: a member cannot apply writes as fast as the cluster commits them.`),
    alert('GaleraCertificationFailures', 'warning', `rate(mysql_global_status_wsrep_local_cert_failures{${sel}}[5m]) > 0.1 * rate(mysql_global_status_wsrep_local_commits{${sel}}[5m]) and rate(mysql_global_status_wsrep_local_cert_failures{${sel}}[5m]) > 0.1`, '10m', 'Many Galera transactions fail certification',
      `{{ $labels.pod }} in ${env.namespace}: more than 10% of local transactions conflict with writes on other members; write to one member at a time or retry on deadlock.`),
    ...backupAlerts(spec, env, alert),
  ];
}

type AlertOf = (name: string, severity: 'critical' | 'warning', expr: string, wait: string, summary: string, description: string) => Alert;

/**
 * The backups' alerts, over kube-state-metrics' CronJob series (the exporter knows nothing
 * of jobs): the last scheduled run did not succeed, or no success for longer than
 * backup.maxAgeHours (never succeeded included, counted from the CronJob's creation).
 */
function backupAlerts(spec: ClusterSpec, env: Environment, alert: AlertOf): Alert[] {
  if (spec.backup === undefined || !env.backup) return [];
  const sel = `namespace="${env.namespace}", cronjob="${spec.name}-backup"`;
  const maxAge = spec.backup.maxAgeHours * 3600;
  return [
    alert('GaleraBackupFailed', 'warning',
      `kube_cronjob_status_last_schedule_time{${sel}} > kube_cronjob_status_last_successful_time{${sel}} and on(namespace, cronjob) kube_cronjob_status_active{${sel}} == 0`, '10m',
      'The last Galera backup failed',
      `The last run of ${spec.name}-backup in ${env.namespace} did not succeed: kubectl logs -n ${env.namespace} job/<the failed job> shows the line "galera-gitops backup: FAILED".`),
    alert('GaleraBackupTooOld', 'critical',
      `(time() - kube_cronjob_status_last_successful_time{${sel}} > ${String(maxAge)}) or (time() - kube_cronjob_created{${sel}} > ${String(maxAge)} unless on(namespace, cronjob) kube_cronjob_status_last_successful_time{${sel}})`, '10m',
      'No recent Galera backup',
      `${spec.name} in ${env.namespace} has no successful backup in the last ${String(spec.backup.maxAgeHours)} hours.`),
  ];
}
