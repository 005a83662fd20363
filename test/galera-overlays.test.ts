/**
 * The generated overlays run for real: the bundled example's staging overlay (3 members)
 * and a 5-member environment, applied with kubectl to the real node with only the image
 * replaced. Members are created one after the other, every member is Synced in a cluster
 * of the right size, the client Service lists exactly the Ready members, and a row
 * written through one member is read through another.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GaleraPods, generateTree } from './support/galera-pods.ts';
import { mariadbImage } from './support/images.ts';
import { RealNode } from './support/node.ts';
import { ROOT } from './support/paths.ts';

interface PodTimes {
  name: string;
  created: number;
  ready: number;
}

/** Each pod's creation time and the time its Ready condition last turned true. */
function podTimes(cluster: GaleraPods): PodTimes[] {
  const r = cluster.node.kubectl(['get', 'pods', '-n', cluster.namespace, '-l', `galera-gitops.io/cluster=${cluster.name}`, '-o', 'json']);
  const list = JSON.parse(r.stdout) as { items: { metadata: { name: string; creationTimestamp: string }; status: { conditions?: { type: string; lastTransitionTime: string }[] } }[] };
  return list.items.map((p) => ({
    name: p.metadata.name,
    created: Date.parse(p.metadata.creationTimestamp),
    ready: Date.parse(p.status.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? ''),
  })).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}

async function runsForReal(cluster: GaleraPods, members: number): Promise<number> {
  for (let i = 0; i < members; i++) cluster.createVolume(i);
  const begin = Date.now();
  cluster.apply();
  await cluster.waitSynced(members, 10 * 60_000);
  const took = Date.now() - begin;

  // OrderedReady: member i is created only once member i-1 was Ready (in a first start,
  // Ready while the election waits for the others).
  const first = podTimes(cluster);
  assert.equal(first.length, members);

  for (let i = 0; i < members; i++) {
    const status = await cluster.wsrep(i);
    assert.equal(status.wsrep_local_state_comment, 'Synced', `member ${String(i)}`);
    assert.equal(status.wsrep_cluster_size, String(members), `member ${String(i)}`);
    assert.equal(status.wsrep_cluster_status, 'Primary', `member ${String(i)}`);
  }
  assert.deepEqual(cluster.readyEndpoints(), cluster.pods().filter((p) => p.ready).map((p) => p.ip).sort());

  await cluster.query(0, 'CREATE DATABASE IF NOT EXISTS shop');
  await cluster.query(0, 'CREATE TABLE shop.orders (id INT PRIMARY KEY, item VARCHAR(20))');
  await cluster.query(0, "INSERT INTO shop.orders VALUES (1, 'written on member 0')");
  const rows = await cluster.query(members - 1, 'SELECT item FROM shop.orders WHERE id = 1');
  assert.deepEqual(rows.map((r) => String(r.item)), ['written on member 0']);
  return took;
}

describe('the generated overlays on a real node', { timeout: 30 * 60_000 }, () => {
  let node: RealNode | undefined;
  const tree = mkdtempSync(join(tmpdir(), 'galera-overlays-'));

  before(async () => {
    const image = mariadbImage();
    node = await RealNode.start();
    node.loadImage(image);
  });

  after(async () => {
    await node?.stop();
  });

  it('the bundled example\'s staging overlay: 3 members created in order, Synced, served by the client Service', async () => {
    assert.ok(node);
    const root = generateTree(join(ROOT, 'examples', 'orders-db.galera.yaml'), join(tree, 'example'));
    const cluster = new GaleraPods(node, { overlay: join(root, 'envs', 'staging'), image: mariadbImage(), namespace: 'orders-staging', name: 'orders-db' });
    const took = await runsForReal(cluster, 3);
    const times = podTimes(cluster);
    for (let i = 1; i < times.length; i++) {
      const [previous, current] = [times[i - 1], times[i]];
      assert.ok(previous && current && current.created >= previous.created, `${current?.name ?? ''} created after ${previous?.name ?? ''}`);
    }
    console.log(`staging (3 members): all Ready and Synced ${String(Math.round(took / 1000))} s after kubectl apply`);
    // Free the node's CPU for the next environment.
    node.kubectl(['delete', 'statefulset', 'orders-db', '-n', 'orders-staging', '--wait=true']);
    await node.waitFor('the staging members to stop', 120_000, () => cluster.pods().length === 0);
  });

  it('a 5-member environment of the same spec', async () => {
    assert.ok(node);
    const spec = readFileSync(join(ROOT, 'examples', 'orders-db.galera.yaml'), 'utf8').replace(
      '  staging:\n    size: small\n',
      // The node has 2 CPUs: five members request less than the size's 500m each.
      '  staging:\n    size: small\n  five:\n    size: small\n    replicas: 5\n    cpu: 100m\n    memory: 1Gi\n',
    );
    writeFileSync(join(tree, 'five.galera.yaml'), spec);
    const root = generateTree(join(tree, 'five.galera.yaml'), join(tree, 'five'));
    const cluster = new GaleraPods(node, { overlay: join(root, 'envs', 'five'), image: mariadbImage(), namespace: 'orders-five', name: 'orders-db' });
    const took = await runsForReal(cluster, 5);
    console.log(`five (5 members): all Ready and Synced ${String(Math.round(took / 1000))} s after kubectl apply`);
  });
});
