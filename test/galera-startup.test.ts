/**
 * The generated start-up and probe scripts against a real MariaDB Galera cluster (three
 * members on loopback, OrderedReady emulated): first start, clean full stop, full-cluster
 * crash, and the seqno election when nothing says who is safe to bootstrap.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GaleraLab } from './support/galera-lab.ts';

describe('generated start-up against real MariaDB Galera', { timeout: 15 * 60_000 }, () => {
  let lab: GaleraLab;
  before(() => {
    lab = new GaleraLab();
  });
  after(() => {
    lab.close();
  });

  it('first start: ordinal 0 bootstraps a new cluster, the others join by state transfer', async () => {
    await lab.startInOrder();
    await lab.allSynced();
    assert.deepEqual(lab.phases(0), ['initialise', 'server --wsrep-new-cluster']);
    assert.deepEqual(lab.phases(1), ['server']);
    assert.deepEqual(lab.phases(2), ['server']);
    assert.equal(lab.status(2, 'wsrep_cluster_size'), '3');
    lab.sql(0, "CREATE DATABASE shop; CREATE TABLE shop.orders (id INT PRIMARY KEY AUTO_INCREMENT, item VARCHAR(20)); INSERT INTO shop.orders (item) VALUES ('a')");
    assert.equal(lab.sql(2, 'SELECT GROUP_CONCAT(item) FROM shop.orders'), 'a');
  });

  it('probes: Ready only when Synced; a stopped server is not alive, unless a state transfer is in progress', async () => {
    assert.equal(lab.probe(1, 'readiness'), true);
    assert.equal(lab.probe(1, 'liveness'), true);
    await lab.stop([2], 'SIGTERM');
    assert.equal(lab.probe(2, 'readiness'), false);
    assert.equal(lab.probe(2, 'liveness'), false);
    // A joiner receiving a state transfer does not answer yet; liveness must not kill it.
    lab.markStateTransfer(2, true);
    assert.equal(lab.probe(2, 'liveness'), true);
    lab.markStateTransfer(2, false);
    lab.start(2);
    await lab.until('member 2 is Ready again', () => lab.probe(2, 'readiness'));
    assert.deepEqual(lab.phases(2), ['server']);
  });

  it('clean full stop in reverse order: the member stopped last bootstraps, the others join', async () => {
    lab.sql(1, "INSERT INTO shop.orders (item) VALUES ('b')");
    await lab.stop([2], 'SIGTERM');
    await lab.stop([1], 'SIGTERM');
    await lab.stop([0], 'SIGTERM');
    assert.match(lab.grastate(0), /safe_to_bootstrap: 1/);
    assert.match(lab.grastate(1), /safe_to_bootstrap: 0/);
    await lab.startInOrder();
    await lab.allSynced();
    assert.deepEqual(lab.phases(0), ['server --wsrep-new-cluster']);
    assert.deepEqual(lab.phases(1), ['server']);
    assert.deepEqual(lab.phases(2), ['server']);
    assert.equal(lab.sql(2, 'SELECT GROUP_CONCAT(item ORDER BY id) FROM shop.orders'), 'a,b');
  });

  it('full-cluster crash: Ready while recovering, so OrderedReady starts the others; Galera restores the primary component', async () => {
    lab.sql(2, "INSERT INTO shop.orders (item) VALUES ('c')");
    await lab.stop([0, 1, 2], 'SIGKILL');
    assert.match(lab.grastate(0), /seqno: +-1\n/);
    await lab.startInOrder();
    await lab.allSynced();
    const [p0, p1, p2] = [lab.phases(0), lab.phases(1), lab.phases(2)];
    const position = /^recovered position <uuid>:(\d+)$/.exec(p0[1] ?? '')?.[1] ?? 'none';
    assert.deepEqual(p0, ['recover position', `recovered position <uuid>:${position}`, 'restore the last primary component', `server  --wsrep-start-position=<uuid>:${position}`]);
    assert.deepEqual(p1, ['recover position', `recovered position <uuid>:${position}`, `server  --wsrep-start-position=<uuid>:${position}`]);
    assert.deepEqual(p2, p1);
    assert.equal(lab.status(0, 'wsrep_cluster_status'), 'Primary');
    assert.equal(lab.sql(0, 'SELECT GROUP_CONCAT(item ORDER BY id) FROM shop.orders'), 'a,b,c');
  });

  it('no member safe and no saved view: every member reports its seqno and the highest bootstraps', async () => {
    await lab.stop([0], 'SIGTERM');
    lab.sql(1, "INSERT INTO shop.orders (item) VALUES ('d')");
    await lab.stop([1, 2], 'SIGKILL');
    for (const i of [0, 1, 2]) lab.removeSavedView(i);
    await lab.startInOrder();
    await lab.allSynced();
    const phases = [lab.phases(0), lab.phases(1), lab.phases(2)];
    const seqno = (i: number): number => Number(/^elect \(seqno (-?\d+)\)$/.exec(phases[i]?.find((p) => p.startsWith('elect')) ?? '')?.[1] ?? Number.NaN);
    // Member 0 left before the last write; 1 and 2 crashed with it: the tie goes to the lower ordinal.
    assert.ok(seqno(0) < seqno(1), `member 0 (${String(seqno(0))}) should be behind member 1 (${String(seqno(1))})`);
    assert.equal(seqno(1), seqno(2));
    const top = String(seqno(1));
    const decided = `all 3 members reported; member 1 has the highest seqno (${top})`;
    assert.deepEqual(phases[0], [`elect (seqno ${String(seqno(0))})`, decided, 'server']);
    assert.deepEqual(phases[1], ['recover position', `recovered position <uuid>:${top}`, `elect (seqno ${top})`, decided, `server --wsrep-new-cluster --wsrep-start-position=<uuid>:${top}`]);
    assert.deepEqual(phases[2], ['recover position', `recovered position <uuid>:${top}`, `elect (seqno ${top})`, decided, `server  --wsrep-start-position=<uuid>:${top}`]);
    assert.equal(lab.sql(0, 'SELECT GROUP_CONCAT(item ORDER BY id) FROM shop.orders'), 'a,b,c,d');
  });
});
