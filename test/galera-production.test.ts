/**
 * The generated cluster in production shape, on a real node: the bundled example's staging
 * environment with encryption on (certificate from a Secret the team provides), the
 * exporter beside each member, the monitoring account, the application database and user.
 * What a platform engineer relies on is exercised on the running members: the applied
 * objects read back show no drift for Argo CD; clients connect with the server's
 * certificate verified; members replicate over TLS and a joiner's state transfer is
 * encrypted; every generated alert is evaluated by promtool over the exporters' real
 * output; a version change runs mariadb-upgrade; rotated passwords take effect with a
 * rolling restart. A writer records every acknowledged row throughout; none may be lost.
 */
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { parseAllDocuments } from 'yaml';
import { createCa } from '../webhook/certificates.ts';
import { alertCases, generatedRuleGroups, scrapeStates } from './support/alert-scenarios.ts';
import { deletePods, memberLog } from './support/galera-faults.ts';
import { drift, type Json } from './support/gitops-diff.ts';
import { scrapeMember } from './support/exporter-scrape.ts';
import { startProductionCluster, type ProductionCluster } from './support/production-cluster.ts';
import { checkRules, testRules } from './support/promtool-rules.ts';

/** A client of member `ordinal` that dials its address but checks the certificate against `host`. */
async function tlsClient(s: ProductionCluster, ordinal: number, ca: string, user: string, password: string): Promise<Awaited<ReturnType<typeof createConnection>>> {
  const ip = s.cluster.pod(ordinal)?.ip ?? '';
  const host = `orders-db-${String(ordinal)}.orders-db-peers.${s.cluster.namespace}.svc`;
  return createConnection({ host, user, password, stream: netConnect(3306, ip), connectTimeout: 5000, ssl: { ca, rejectUnauthorized: true, verifyIdentity: true } });
}

async function refused(attempt: () => Promise<{ end: () => Promise<void> }>): Promise<string> {
  try {
    const connection = await attempt();
    await connection.end();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('the connection was accepted');
}

function uids(s: ProductionCluster): string[] {
  return [0, 1, 2].map((i) => s.cluster.pod(i)?.uid ?? '');
}

describe('a generated environment in production shape on a real node', { timeout: 45 * 60_000 }, () => {
  let s: ProductionCluster | undefined;
  const get = (): ProductionCluster => {
    assert.ok(s, 'the cluster did not start');
    return s;
  };

  before(async () => {
    s = await startProductionCluster();
    console.log(`staging with TLS, exporters and users: 3 members Synced ${String(s.firstStartSeconds)} s after kubectl apply`);
  });

  after(async () => {
    await s?.writer.stop();
    await s?.node.stop();
  });

  it('shows Argo CD no drift: every applied object read back holds what was rendered, volumeClaimTemplates exactly', () => {
    const { cluster, node } = get();
    const rendered = parseAllDocuments(cluster.manifests()).map((d) => d.toJS() as Json & { kind: string; metadata: { name: string; namespace?: string } });
    const differences = rendered.flatMap((object) => {
      const ns = object.metadata.namespace === undefined ? [] : ['-n', object.metadata.namespace];
      const live = JSON.parse(node.kubectl(['get', object.kind, object.metadata.name, ...ns, '-o', 'json']).stdout || 'null') as Json;
      return drift(object, live).map((d) => `${object.kind}/${object.metadata.name}${d}`);
    });
    assert.deepEqual(differences, []);
    assert.ok(rendered.length >= 10, `${String(rendered.length)} objects compared`);
  });

  it('serves clients over TLS with the server certificate verified, and refuses a client that trusts another CA', async () => {
    const p = get();
    for (const ordinal of [0, 1, 2]) {
      const connection = await tlsClient(p, ordinal, p.ca.cert, 'app', p.cluster.appPassword);
      const [rows] = await connection.query<RowDataPacket[]>("SHOW SESSION STATUS LIKE 'Ssl_version'");
      assert.match(String(rows[0]?.Value), /^TLSv1\.[23]$/);
      await connection.end();
    }
    const other = await createCa(1);
    assert.match(await refused(() => tlsClient(p, 0, other.cert, 'app', p.cluster.appPassword)), /certificate/i);
  });

  it('replicates over TLS between members, and a joiner without data gets an encrypted state transfer', async () => {
    const p = get();
    // Galera's group communication runs over TLS: peers are ssl:// endpoints.
    const [peer] = /connection established to \S+ ssl:\/\/[\d.]+:4567/.exec(memberLog(p.cluster, 0)) ?? [];
    assert.ok(peer, "member 0's log shows no replication connection over TLS");
    console.log(`member 0: ${peer}`);
    p.cluster.loseVolume(2);
    deletePods(p.cluster, [2]);
    await p.node.waitFor('member 2 to start again', 120_000, () => (p.cluster.pod(2)?.restarts ?? -1) >= 0 && memberLog(p.cluster, 2).includes('WSREP_SST'));
    await p.cluster.waitSynced(3, 10 * 60_000);
    const log = memberLog(p.cluster, 2);
    const sst = log.split('\n').filter((l) => l.includes('WSREP_SST'));
    const encrypted = sst.find((l) => l.includes('Using openssl based encryption with socat'));
    const verified = sst.find((l) => l.includes("MODE='VERIFY_CA'"));
    assert.ok(encrypted !== undefined && verified !== undefined, `no encrypted, verified state transfer in member 2's log:\n${sst.join('\n')}`);
    console.log(`member 2's state transfer:\n  ${encrypted.trim()}\n  ${verified.trim()}`);
  });

  it('raises exactly the alerts each state should, by promtool over the exporters\' real output', async () => {
    const p = get();
    const groups = generatedRuleGroups(p.cluster.overlay);
    assert.match(checkRules(groups), /SUCCESS: 10 rules found/);
    const states = await scrapeStates(p.cluster);
    const cases = alertCases(states);
    assert.match(testRules(groups, cases), /SUCCESS/);
    console.log(`alerts: ${String(cases.length)} states evaluated; cut-off member's wsrep_cluster_status = ${String(states.cutOff[2]?.values.mysql_global_status_wsrep_cluster_status)}, local_state = ${String(states.cutOff[2]?.values.mysql_global_status_wsrep_local_state)}`);
  });

  it('runs mariadb-upgrade when a member starts on a newer server than its data directory', async () => {
    const p = get();
    // Member 0 initialised the cluster and recorded its version; a member that joined by state
    // transfer has no record until its first restart upgrades it (docs/generator.md, Upgrades).
    const file = join(p.cluster.volumes.get(0) ?? '', 'mysql_upgrade_info');
    const current = readFileSync(file, 'utf8').trim();
    assert.match(current, /^\d+\.\d+\.\d+-MariaDB$/);
    writeFileSync(file, '10.6.0-MariaDB');
    deletePods(p.cluster, [0]);
    await p.node.waitFor('member 0 to be replaced', 120_000, () => memberLog(p.cluster, 0).includes('running mariadb-upgrade'));
    await p.cluster.waitSynced(3, 10 * 60_000);
    assert.match(memberLog(p.cluster, 0), new RegExp(`upgrade done: mysql_upgrade_info now says ${current.replaceAll('.', '\\.')}`));
    assert.equal(readFileSync(file, 'utf8').trim(), current);
  });

  it('takes rotated passwords with a rolling restart: every member Ready, new passwords in, old ones out', async () => {
    const p = get();
    const before = uids(p);
    const old = { root: p.cluster.rootPassword, app: p.cluster.appPassword };
    p.cluster.rotate();
    p.node.kubectl(['rollout', 'restart', 'statefulset', p.cluster.name, '-n', p.cluster.namespace]);
    await p.node.waitFor('every member replaced', 15 * 60_000, () => uids(p).every((uid, i) => uid !== '' && uid !== before[i]) && p.cluster.pods().every((pod) => pod.ready), 2000);
    await p.cluster.waitSynced(3, 5 * 60_000);
    for (const ordinal of [0, 1, 2]) {
      assert.equal((await p.cluster.query(ordinal, 'SELECT 1 AS one'))[0]?.one, 1);
      const app = await tlsClient(p, ordinal, p.ca.cert, 'app', p.cluster.appPassword);
      await app.end();
      assert.match(await refused(() => tlsClient(p, ordinal, p.ca.cert, 'app', old.app)), /Access denied/);
      assert.match(await refused(() => tlsClient(p, ordinal, p.ca.cert, 'root', old.root)), /Access denied/);
      assert.equal(scrapeMember(p.cluster, ordinal, 'x').values.mysql_up, 1, `member ${String(ordinal)}'s exporter logs in with the new monitoring password`);
    }
  });

  it('lost no acknowledged row, and every member agrees', async () => {
    const p = get();
    const result = await p.writer.verify(3);
    console.log(`writer: ${String(result.acknowledged)} rows acknowledged, lost per member ${JSON.stringify(result.lost)}`);
    assert.ok(result.acknowledged > 0);
    assert.deepEqual(Object.values(result.lost), [0, 0, 0]);
    assert.equal(result.agree, true);
  });
});
