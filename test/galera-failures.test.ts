/**
 * Failures of members and of the whole cluster, on real pods, with a writer that counts
 * every acknowledged row: rolling restart, pod deletes, crashes, a member cut off the
 * network, liveness of a member stuck outside Synced, full crashes and clean full stops.
 * After each scenario every member must hold every acknowledged row and agree.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cutOff, deletePods, fullOutage, killServers, reconnect, restore } from './support/galera-faults.ts';
import { accepts } from './support/probe-net.ts';
import { sleep } from './support/processes.ts';
import { startScenarioCluster, STUCK_SECONDS, type ScenarioCluster } from './support/scenario-cluster.ts';

const seconds = (ms: number): string => `${String(Math.round(ms / 100) / 10)} s`;

describe('member and cluster failures on real pods, no acknowledged row lost', { timeout: 60 * 60_000 }, () => {
  let s: ScenarioCluster | undefined;

  before(async () => {
    s = await startScenarioCluster();
    console.log(`first start of 3 members: all Synced ${String(s.firstStartSeconds)} s after kubectl apply`);
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

  it('rolling restart 2, 1, 0 under writes', async () => {
    const { cluster, log, node } = setup();
    await log.run('rolling restart 2, 1, 0 under writes', 3, async () => {
      node.apply('', 'rollout', 'restart', 'statefulset', cluster.name, '-n', cluster.namespace);
      await node.waitFor('the rolling restart', 10 * 60_000, () => node.kubectl(['rollout', 'status', 'statefulset', cluster.name, '-n', cluster.namespace, '--timeout=1s']).status === 0, 2000);
      return 'one member at a time';
    });
  });

  it('member 0 deleted and recreated', async () => {
    const { cluster, log, node } = setup();
    await log.run('member 0 deleted and recreated', 3, async () => {
      const old = cluster.pod(0)?.uid;
      deletePods(cluster, [0]);
      await node.waitFor('member 0 to be recreated', 120_000, () => ![undefined, old].includes(cluster.pod(0)?.uid));
      return 'rejoins by IST';
    });
  });

  it('member 0 SIGKILLed and recreated while 1 and 2 run: Ready only once it serves', async () => {
    const { cluster, log, node } = setup();
    let readyNotServing = 0;
    await log.run('member 0 SIGKILLed and recreated while 1 and 2 run', 3, async () => {
      const old = cluster.pod(0)?.uid;
      killServers(cluster, [0]);
      deletePods(cluster, [0], true);
      await node.waitFor('member 0 to be recreated', 120_000, () => ![undefined, old].includes(cluster.pod(0)?.uid));
      const created = Date.now();
      for (;;) {
        const pod = cluster.pod(0);
        if (pod?.ready === true) {
          if (await accepts(pod.ip, 3306)) break;
          readyNotServing++;
        }
        await sleep(250);
      }
      return `Ready ${seconds(Date.now() - created)} after creation; ${String(readyNotServing)} samples Ready while not serving`;
    });
    assert.equal(readyNotServing, 0);
  });

  it(`member 2 cut off for 60 s: it leaves the endpoints within 10 s, and comes back`, async () => {
    const { cluster, log, node } = setup();
    await log.run('member 2 cut off for 60 s', 3, async () => {
      const ip = cluster.pod(2)?.ip ?? '';
      const cut = Date.now();
      cutOff(cluster, 2);
      const left = await node.waitFor('member 2 to leave the endpoints', 60_000, () => !cluster.readyEndpoints().includes(ip), 250);
      assert.ok(left <= 10_000, `member 2 left the endpoints after ${seconds(left)}`);
      await sleep(60_000 - (Date.now() - cut));
      reconnect(cluster, 2);
      const back = await node.waitFor('member 2 to be Ready again', 180_000, () => cluster.readyEndpoints().includes(ip), 250);
      return `left the endpoints ${seconds(left)} after the cut; Ready ${seconds(back)} after reconnecting`;
    });
  });

  it(`a member stuck outside Synced is restarted by liveness after ${String(STUCK_SECONDS)} s (generated default 120 s)`, async () => {
    const { cluster, log, node } = setup();
    await log.run('member 2 cut off until liveness restarts it', 3, async () => {
      const restarts = cluster.pod(2)?.restarts ?? 0;
      cutOff(cluster, 2);
      const restarted = await node.waitFor('liveness to restart member 2', 5 * 60_000, () => (cluster.pod(2)?.restarts ?? 0) > restarts, 1000);
      // The restarted member finds no peer it can reach: not Ready, waiting.
      await sleep(10_000);
      assert.equal(cluster.pod(2)?.ready, false);
      reconnect(cluster, 2);
      return `restarted ${seconds(restarted)} after the cut (bound ${String(STUCK_SECONDS)} s + 3 failed probes); not Ready while cut off`;
    });
  });

  it('all 3 SIGKILLed at once, then started again in order', async () => {
    const { cluster, log } = setup();
    await log.run('all 3 SIGKILLed, then restarted in order', 3, async () => {
      await fullOutage(cluster, [0, 1, 2]);
      restore(cluster);
      return 'the most advanced member bootstraps';
    });
  });

  it('clean stop 2, 1, 0 (scale to 0), then scale to 3', async () => {
    const { cluster, log, node } = setup();
    await log.run('clean stop 2, 1, 0 and restart', 3, async () => {
      node.apply('', 'scale', 'statefulset', cluster.name, '-n', cluster.namespace, '--replicas=0');
      await node.waitFor('every member to stop', 5 * 60_000, () => cluster.pods().length === 0, 1000);
      const grastate = readFileSync(join(cluster.volumes.get(0) ?? '', 'grastate.dat'), 'utf8');
      assert.match(grastate, /safe_to_bootstrap: 1/);
      node.apply('', 'scale', 'statefulset', cluster.name, '-n', cluster.namespace, '--replicas=3');
      return 'member 0 stopped last and bootstraps at once (safe_to_bootstrap: 1)';
    });
  });

  it('member 2 dies, members 0 and 1 die 20 s later', async () => {
    const { cluster, log, node } = setup();
    await log.run('member 2 dies, 0 and 1 die 20 s later', 3, async () => {
      node.apply('', 'delete', 'statefulset', cluster.name, '-n', cluster.namespace, '--cascade=orphan');
      const uid = cluster.pod(2)?.uid ?? '';
      killServers(cluster, [2]);
      deletePods(cluster, [2], true);
      await node.waitFor('member 2 to be gone', 60_000, () => node.cgroups.processes(uid).length === 0);
      await sleep(20_000);
      await fullOutage(cluster, [0, 1]);
      restore(cluster);
      return 'member 2 is behind; 0 or 1 bootstraps';
    });
  });
});
