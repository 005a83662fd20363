/**
 * Recoveries that need more than a restart, on real pods, with the row-counting writer:
 * a member's volume lost during a full outage (each ordinal in turn), a full outage while
 * a state transfer runs, a member whose node never comes back (the election waits and says
 * so; the recoverWithout override from git ends it; a pod deleted while it waits goes at
 * once), scaling to 5 and back to 3, a configuration change rolling one member at a time,
 * and a member whose data belongs to another cluster (refused until discardDataOf).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deletePods, fullOutage, killServers, memberLog, restore } from './support/galera-faults.ts';
import { GaleraPods } from './support/galera-pods.ts';
import { sleep } from './support/processes.ts';
import { run } from './support/run.ts';
import { startScenarioCluster, type ScenarioCluster } from './support/scenario-cluster.ts';

const seconds = (ms: number): string => `${String(Math.round(ms / 100) / 10)} s`;
const uuidOf = (dir: string): string => /uuid:\s*(\S+)/.exec(readFileSync(join(dir, 'grastate.dat'), 'utf8'))?.[1] ?? '';

describe('recoveries on real pods, no acknowledged row lost', { timeout: 60 * 60_000 }, () => {
  let s: ScenarioCluster | undefined;

  before(async () => {
    s = await startScenarioCluster();
  });

  after(async () => {
    await s?.writer.stop();
    if (s !== undefined) console.log(`\n${s.log.table()}\n`);
    await s?.node.stop();
  });

  const setup = (): ScenarioCluster => {
    assert.ok(s, 'the scenario cluster did not start');
    return s;
  };

  for (const ordinal of [0, 1, 2]) {
    it(`member ${String(ordinal)}'s volume lost during a full outage`, async () => {
      const { cluster, log } = setup();
      await log.run(`member ${String(ordinal)}'s volume lost during a full outage`, 3, async () => {
        await fullOutage(cluster, [0, 1, 2]);
        cluster.loseVolume(ordinal);
        restore(cluster);
        return `member ${String(ordinal)} reports seqno -1; the most advanced of the others bootstraps; it joins by SST`;
      });
    });
  }

  it('a full outage while a state transfer is in progress', async () => {
    const { cluster, log, node } = setup();
    await log.run('full outage while a state transfer is in progress', 3, async () => {
      node.apply('', 'delete', 'statefulset', cluster.name, '-n', cluster.namespace, '--cascade=orphan');
      deletePods(cluster, [2]);
      await node.waitFor('member 2 to stop', 120_000, () => cluster.pod(2) === undefined);
      const volume = cluster.loseVolume(2);
      restore(cluster);
      await node.waitFor('the state transfer into member 2', 180_000, () => existsSync(join(volume, 'sst_in_progress')), 100);
      await fullOutage(cluster, [0, 1, 2]);
      assert.ok(existsSync(join(volume, 'sst_in_progress')), 'the outage came after the transfer finished');
      restore(cluster);
      return 'member 2 holds half a copy: it reports no data and receives a new SST';
    });
  });

  it('a member whose node never comes back: the election waits and says so, recoverWithout ends it, a pod deleted meanwhile goes at once', async () => {
    const { cluster, log, node, regenerate } = setup();
    let stopSeconds = 0;
    await log.run('member 2\'s node never comes back; 0 and 1 crash later; recoverWithout from git', 2, async () => {
      node.apply('', 'delete', 'statefulset', cluster.name, '-n', cluster.namespace, '--cascade=orphan');
      killServers(cluster, [2]);
      deletePods(cluster, [2], true);
      // Pod 2 can no longer be created: its node (and local volume) are gone.
      node.apply(JSON.stringify({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'node-gone', namespace: cluster.namespace }, spec: { hard: { pods: '2' } } }));
      await sleep(10_000);
      await fullOutage(cluster, [0, 1]);
      restore(cluster);
      await node.waitFor('members 0 and 1 to wait for member 2', 180_000, () => [0, 1].every((i) => memberLog(cluster, i).includes('election: waiting for orders-db-2')));
      await node.waitFor('members 0 and 1 Ready while recovering', 60_000, () => [0, 1].every((i) => cluster.pod(i)?.ready === true));
      // Signals: a pod deleted while start.sh waits in the election stops within seconds.
      const deleted = Date.now();
      const uid = cluster.pod(1)?.uid;
      deletePods(cluster, [1]);
      await node.waitFor('member 1 to stop', 60_000, () => cluster.pod(1)?.uid !== uid);
      stopSeconds = Date.now() - deleted;
      const override = Date.now();
      regenerate((spec) => spec.replace('    cpu: 100m\n    memory: 1Gi\n', '    cpu: 100m\n    memory: 1Gi\n    recovery:\n      recoverWithout: [orders-db-2]\n'));
      await cluster.waitSynced(2, 5 * 60_000);
      return `members 0, 1 wait (Ready while recovering) and log "waiting for orders-db-2"; a pod deleted in the election stopped in ${seconds(stopSeconds)}; Primary again ${seconds(Date.now() - override)} after the override was applied`;
    });
    assert.ok(stopSeconds < 15_000, `a pod waiting in the election took ${seconds(stopSeconds)} to stop`);
    await log.run('member 2 replaced on a new node (empty volume), override removed', 3, () => {
      node.apply('', 'delete', 'resourcequota', 'node-gone', '-n', cluster.namespace);
      cluster.loseVolume(2);
      regenerate((spec) => spec);
      return 'joins by SST';
    });
  });

  it('kubectl scale to 5 works (peers come from the governing Service), and back to 3 leaves a healthy Primary of 3', async () => {
    const { cluster, log, node } = setup();
    await log.run('kubectl scale --replicas=5', 5, () => {
      cluster.createVolume(3);
      cluster.createVolume(4);
      node.apply('', 'scale', 'statefulset', cluster.name, '-n', cluster.namespace, '--replicas=5');
      return 'members 3 and 4 join';
    });
    await log.run('kubectl scale --replicas=3', 3, async () => {
      node.apply('', 'scale', 'statefulset', cluster.name, '-n', cluster.namespace, '--replicas=3');
      await node.waitFor('members 3 and 4 to stop', 5 * 60_000, () => cluster.pods().length === 3);
      return 'members 4, 3 leave cleanly';
    });
  });

  it('a configuration change rolls the members one at a time, each running the new settings', async () => {
    const { cluster, log, node, regenerate } = setup();
    let mostNotReady = 0;
    await log.run('galera.cnf changed (mysqld.max_connections)', 3, async () => {
      const before = cluster.pods().map((p) => p.uid);
      regenerate((spec) => `${spec}mysqld:\n  max_connections: 211\n`);
      await node.waitFor('every member to be replaced', 10 * 60_000, () => {
        const pods = cluster.pods();
        mostNotReady = Math.max(mostNotReady, pods.filter((p) => !p.ready).length + Math.max(0, 3 - pods.length));
        return pods.length === 3 && pods.every((p) => !before.includes(p.uid) && p.ready);
      }, 500);
      return `at most ${String(mostNotReady)} member not Ready at a time`;
    });
    assert.equal(mostNotReady, 1);
    for (let i = 0; i < 3; i++) assert.deepEqual((await cluster.query(i, 'SELECT @@max_connections AS m')).map((r) => Number(r.m)), [211]);
  });

  it('a member whose data belongs to another cluster refuses to join (naming both histories) until discardDataOf', async () => {
    const { cluster, log, node, regenerate } = setup();
    const other = new GaleraPods(node, { overlay: join(cluster.overlay, '..', 'dev'), image: cluster.image, namespace: 'orders-dev', name: 'orders-db' });
    other.createVolume(0);
    other.apply();
    await other.waitSynced(1, 5 * 60_000);
    node.apply('', 'scale', 'statefulset', 'orders-db', '-n', 'orders-dev', '--replicas=0');
    await node.waitFor('the other cluster to stop', 120_000, () => other.pods().length === 0);
    const foreign = other.volumes.get(0) ?? '';
    let stopped = 0;
    await log.run('member 1 holds another cluster\'s data; discardDataOf from git', 3, async () => {
      const ours = uuidOf(cluster.volumes.get(0) ?? '');
      node.apply('', 'delete', 'statefulset', cluster.name, '-n', cluster.namespace, '--cascade=orphan');
      deletePods(cluster, [1]);
      await node.waitFor('member 1 to stop', 120_000, () => cluster.pod(1) === undefined);
      const volume = cluster.volumes.get(1) ?? '';
      for (const entry of readdirSync(volume)) rmSync(join(volume, entry), { recursive: true, force: true });
      // cp -a: the server's files stay owned by its uid.
      run('cp', ['-a', `${foreign}/.`, volume]);
      const theirs = uuidOf(volume);
      restore(cluster);
      await node.waitFor('member 1 to refuse', 180_000, () => memberLog(cluster, 1).includes('orders-db-1 will not join'));
      const refusal = memberLog(cluster, 1).split('\n').find((l) => l.includes('will not join')) ?? '';
      assert.match(refusal, new RegExp(`its history ${theirs}:\\d+ is unrelated to the running cluster's ${ours}:\\d+`));
      await sleep(10_000);
      assert.equal(cluster.pod(1)?.ready, false);
      assert.equal(uuidOf(volume), theirs, 'the refused member\'s data was changed');
      // Signals: a pod deleted while it refuses stops within seconds, and refuses again.
      const uid = cluster.pod(1)?.uid;
      const deleted = Date.now();
      deletePods(cluster, [1]);
      await node.waitFor('the refusing member to stop', 60_000, () => cluster.pod(1)?.uid !== uid);
      stopped = Date.now() - deleted;
      regenerate((spec) => spec.replace('    cpu: 100m\n    memory: 1Gi\n', '    cpu: 100m\n    memory: 1Gi\n    recovery:\n      discardDataOf: [orders-db-1]\n'));
      return `not Ready, data untouched, both state UUIDs logged; deleted while refusing, stopped in ${seconds(stopped)}; joins by SST once discardDataOf names it`;
    });
    assert.ok(stopped < 15_000, `a refusing member took ${seconds(stopped)} to stop`);
  });
});
