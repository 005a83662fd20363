/**
 * The generated Galera alerts against what the members' exporters really say: states are
 * made on the running cluster (healthy; one member desynced; one member cut off from the
 * others; the exporter unable to log in), each member's exporter is scraped in that state,
 * and promtool evaluates the generated rules over those values held for 40 minutes,
 * expecting exactly the alerts that state should raise. Flow control and certification
 * failures cannot be caused on demand in a 3-member test cluster: their counters are the
 * real series with a synthetic growth rate (said in docs/generator.md).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { cutOff, reconnect } from './galera-faults.ts';
import type { GaleraPods } from './galera-pods.ts';
import { ALERT_METRICS, alertValues, scrapeMember, type MemberScrape } from './exporter-scrape.ts';
import { freePort } from './ports.ts';
import type { RuleCase, RuleGroup } from './promtool-rules.ts';
import { tools } from './tools.ts';

/** The PrometheusRule's groups from the environment's generated monitoring.yaml. */
export function generatedRuleGroups(overlay: string): RuleGroup[] {
  const docs = parseAllDocuments(readFileSync(join(overlay, 'monitoring.yaml'), 'utf8')).map((d) => d.toJS() as { kind: string; spec: { groups: RuleGroup[] } });
  const rule = docs.find((d) => d.kind === 'PrometheusRule');
  if (rule === undefined) throw new Error(`${overlay}/monitoring.yaml has no PrometheusRule`);
  return rule.spec.groups;
}

const job = (cluster: GaleraPods): string => `${cluster.name}-metrics`;
const scrapeAll = (cluster: GaleraPods): MemberScrape[] => [0, 1, 2].map((i) => scrapeMember(cluster, i, job(cluster)));

/** The host's own mysqld_exporter against member 0 with a wrong password: what a member whose exporter cannot log in exposes. */
async function exporterLockedOut(cluster: GaleraPods): Promise<MemberScrape> {
  const port = await freePort();
  const ip = cluster.pod(0)?.ip ?? '';
  const child = spawn(tools().mysqldExporter, [`--mysqld.address=${ip}:3306`, '--mysqld.username=galera_monitor', `--web.listen-address=127.0.0.1:${String(port)}`], {
    env: { ...process.env, MYSQLD_EXPORTER_PASSWORD: 'not-the-password' },
    stdio: 'ignore',
  });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        const page = await (await fetch(`http://127.0.0.1:${String(port)}/metrics`)).text();
        return { labels: { job: job(cluster), namespace: cluster.namespace, pod: `${cluster.name}-0` }, values: alertValues(page) };
      } catch (error) {
        if (attempt > 50) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    child.kill();
    await once(child, 'exit');
  }
}

export interface AlertStates {
  healthy: MemberScrape[];
  desynced: MemberScrape[];
  cutOff: MemberScrape[];
  lockedOut: MemberScrape;
}

/** Makes each state on the running cluster and scrapes every exporter in it; leaves the cluster Synced. */
export async function scrapeStates(cluster: GaleraPods): Promise<AlertStates> {
  const healthy = scrapeAll(cluster);
  for (const m of healthy) {
    const missing = ALERT_METRICS.filter((metric) => m.values[metric] === undefined);
    if (missing.length > 0) throw new Error(`${m.labels.pod ?? ''}'s exporter does not expose ${missing.join(', ')}`);
  }
  await cluster.query(1, 'SET GLOBAL wsrep_desync = ON');
  const desynced = scrapeAll(cluster);
  await cluster.query(1, 'SET GLOBAL wsrep_desync = OFF');
  cutOff(cluster, 2);
  let cut: MemberScrape[] = [];
  try {
    await cluster.node.waitFor('members 0 and 1 to drop member 2', 90_000, () => {
      cut = scrapeAll(cluster);
      return cut[0]?.values.mysql_global_status_wsrep_cluster_size === 2 && cut[2]?.values.mysql_global_status_wsrep_cluster_status !== cut[0].values.mysql_global_status_wsrep_cluster_status;
    }, 2000);
  } finally {
    reconnect(cluster, 2);
  }
  const lockedOut = await exporterLockedOut(cluster);
  await cluster.waitSynced(3, 5 * 60_000);
  return { healthy, desynced, cutOff: cut, lockedOut };
}

const SEVERITY: Record<string, string> = {
  GaleraMemberDown: 'warning', GaleraClusterSizeLow: 'warning', GaleraQuorumAtRisk: 'critical', GaleraNoPrimaryComponent: 'critical',
  GaleraNotPrimary: 'critical', GaleraMemberNotSynced: 'warning', GaleraFlowControlPaused: 'warning', GaleraCertificationFailures: 'warning',
};
const of = (alert: string, member?: MemberScrape): Record<string, string> => ({ ...(member?.labels ?? {}), severity: SEVERITY[alert] ?? '' });
const notSynced = (members: MemberScrape[]): MemberScrape[] => members.filter((m) => m.values.mysql_global_status_wsrep_local_state !== 4);

/** The cases: each state and the alerts it must raise (every other alert must stay silent). */
export function alertCases(s: AlertStates): RuleCase[] {
  const [h0, h1, h2] = s.healthy;
  const [, , c2] = s.cutOff;
  if (h0 === undefined || h1 === undefined || h2 === undefined || c2 === undefined) throw new Error('a scrape is missing');
  return [
    { name: 'healthy: 3 members Synced in the Primary component', members: s.healthy, firing: {} },
    { name: 'member 1 desynced (wsrep_desync=ON)', members: s.desynced, firing: { GaleraMemberNotSynced: notSynced(s.desynced).map((m) => of('GaleraMemberNotSynced', m)) } },
    {
      name: 'member 2 cut off from the others',
      members: s.cutOff,
      firing: {
        GaleraClusterSizeLow: [of('GaleraClusterSizeLow')],
        GaleraQuorumAtRisk: [of('GaleraQuorumAtRisk')],
        GaleraNotPrimary: [of('GaleraNotPrimary', c2)],
        GaleraMemberNotSynced: notSynced(s.cutOff).map((m) => of('GaleraMemberNotSynced', m)),
      },
    },
    {
      name: 'only member 2 reachable, outside the Primary component',
      members: [c2],
      firing: {
        GaleraNoPrimaryComponent: [of('GaleraNoPrimaryComponent')],
        GaleraClusterSizeLow: [of('GaleraClusterSizeLow')],
        GaleraQuorumAtRisk: [of('GaleraQuorumAtRisk')],
        GaleraNotPrimary: [of('GaleraNotPrimary', c2)],
        GaleraMemberNotSynced: notSynced([c2]).map((m) => of('GaleraMemberNotSynced', m)),
      },
    },
    { name: "member 0's exporter cannot log in", members: [s.lockedOut, h1, h2], firing: { GaleraMemberDown: [of('GaleraMemberDown', s.lockedOut)] } },
    {
      name: 'flow control pausing member 0 half the time, member 1 failing half its certifications (synthetic growth of the real series)',
      members: s.healthy,
      growth: [
        { member: h0, metric: 'mysql_global_status_wsrep_flow_control_paused_ns', start: h0.values.mysql_global_status_wsrep_flow_control_paused_ns ?? 0, perMinute: 30e9 },
        { member: h1, metric: 'mysql_global_status_wsrep_local_cert_failures', start: h1.values.mysql_global_status_wsrep_local_cert_failures ?? 0, perMinute: 30 },
        { member: h1, metric: 'mysql_global_status_wsrep_local_commits', start: h1.values.mysql_global_status_wsrep_local_commits ?? 0, perMinute: 60 },
      ],
      firing: { GaleraFlowControlPaused: [of('GaleraFlowControlPaused', h0)], GaleraCertificationFailures: [of('GaleraCertificationFailures', h1)] },
    },
  ];
}
