/**
 * The row-counting writer of the failure tests: a client of the generated cluster that
 * connects the way the client Service routes (only to Ready endpoints, round robin),
 * inserts one row at a time, and remembers every row the server acknowledged. `verify()`
 * then proves that every member holds every acknowledged row and that the members agree
 * (CHECKSUM TABLE). A failed insert is counted, never retried under the same id: its
 * outcome is unknown, so it is allowed to be present or absent.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { GaleraPods } from './galera-pods.ts';
import { sleep } from './processes.ts';
import { tools } from './tools.ts';

const run = promisify(execFile);
const TABLE = 'galera_test.acked';

export interface Verification {
  acknowledged: number;
  /** Acknowledged rows missing on each member (0 everywhere is the goal). */
  lost: Record<string, number>;
  checksums: Record<string, string>;
  agree: boolean;
}

export class GaleraWriter {
  readonly acknowledged = new Set<number>();
  failed = 0;
  private readonly cluster: GaleraPods;
  private readonly intervalMs: number;
  private endpoints: string[] = [];
  private readonly connections = new Map<string, Connection>();
  private running = false;
  private loops: Promise<void>[] = [];
  private next = 1;
  private turn = 0;
  /** Set while verify() reads: the table must not change between members. */
  private paused = false;
  private idle: Promise<void> = Promise.resolve();

  constructor(cluster: GaleraPods, intervalMs = 50) {
    this.cluster = cluster;
    this.intervalMs = intervalMs;
  }

  async start(): Promise<void> {
    await this.cluster.query(0, 'CREATE DATABASE IF NOT EXISTS galera_test');
    await this.cluster.query(0, `CREATE TABLE IF NOT EXISTS ${TABLE} (id BIGINT PRIMARY KEY, written_at DATETIME(6) NOT NULL, member VARCHAR(64) NOT NULL)`);
    this.running = true;
    this.loops = [this.watchEndpoints(), this.write()];
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    for (const connection of this.connections.values()) connection.destroy();
    this.connections.clear();
  }

  /** The client Service's ready endpoints, as kube-proxy would route to them. */
  private async watchEndpoints(): Promise<void> {
    const { namespace, name } = this.cluster;
    while (this.running) {
      try {
        const { stdout } = await run(tools().kubectl, ['--kubeconfig', this.cluster.node.kubeconfig, 'get', 'endpointslices', '-n', namespace, '-l', `kubernetes.io/service-name=${name}`, '-o', 'json']);
        const slices = JSON.parse(stdout) as { items: { endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] }[] };
        this.endpoints = slices.items.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready === true).flatMap((e) => e.addresses));
      } catch {
        // keep the last list
      }
      await sleep(250);
    }
  }

  private async connection(ip: string): Promise<Connection> {
    const open = this.connections.get(ip);
    if (open !== undefined) return open;
    const created = await this.cluster.connect(ip);
    this.connections.set(ip, created);
    return created;
  }

  private async write(): Promise<void> {
    while (this.running) {
      if (this.paused) {
        await sleep(50);
        continue;
      }
      let done = (): void => undefined;
      this.idle = new Promise((resolve) => (done = resolve));
      await this.writeOne();
      done();
      await sleep(this.intervalMs);
    }
  }

  private async writeOne(): Promise<void> {
    const ip = this.endpoints[this.turn++ % Math.max(1, this.endpoints.length)];
    if (ip === undefined) {
      this.failed++;
      await sleep(200);
      return;
    }
    const id = this.next++;
    try {
      const connection = await this.connection(ip);
      // A member cut off from the network never answers: give up after 3 s.
      await connection.query({ sql: `INSERT INTO ${TABLE} (id, written_at, member) VALUES (?, NOW(6), @@hostname)`, values: [id], timeout: 3000 });
      this.acknowledged.add(id);
    } catch {
      this.failed++;
      this.connections.get(ip)?.destroy();
      this.connections.delete(ip);
    }
  }

  /** Every member's copy of the table against the acknowledged rows, and against each other. */
  async verify(members: number): Promise<Verification> {
    this.paused = true;
    await this.idle;
    try {
      return await this.compare(members);
    } finally {
      this.paused = false;
    }
  }

  private async compare(members: number): Promise<Verification> {
    const lost: Record<string, number> = {};
    const checksums: Record<string, string> = {};
    for (let i = 0; i < members; i++) {
      const member = `${this.cluster.name}-${String(i)}`;
      const ip = this.cluster.pod(i)?.ip ?? '';
      const connection = await this.cluster.connect(ip);
      try {
        // Read after every write the cluster certified has been applied here.
        await connection.query('SET SESSION wsrep_sync_wait = 1');
        const [rows] = await connection.query<RowDataPacket[]>(`SELECT id FROM ${TABLE}`);
        const present = new Set(rows.map((r) => Number(r.id)));
        lost[member] = [...this.acknowledged].filter((id) => !present.has(id)).length;
        const [sums] = await connection.query<RowDataPacket[]>(`CHECKSUM TABLE ${TABLE}`);
        checksums[member] = String(sums[0]?.Checksum);
      } finally {
        await connection.end();
      }
    }
    return { acknowledged: this.acknowledged.size, lost, checksums, agree: new Set(Object.values(checksums)).size === 1 };
  }
}
