/**
 * A real MariaDB Galera cluster on loopback for testing the generated start-up and probe
 * scripts: three members, each on its own 127.x address with the standard ports, running
 * exactly the start.sh, probe.sh and galera.cnf the generator writes into its ConfigMap.
 * OrderedReady is emulated: member i starts only when member i-1's readiness probe passes.
 * Needs Debian's mariadb-server, galera-4, mariadb-backup and socat.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderTree } from '../../generator/render/tree.ts';
import { parseSpec } from '../../generator/spec.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const REQUIRED = ['/usr/sbin/mariadbd', '/usr/bin/mariadb', '/usr/bin/mariabackup', '/usr/bin/socat', '/usr/lib/galera/libgalera_smm.so'];
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function requireMariaDb(): void {
  const missing = REQUIRED.filter((f) => !existsSync(f));
  if (missing.length > 0) {
    throw new Error(`a real MariaDB Galera is needed and ${missing.join(', ')} is missing: run scripts/system-packages.sh (apt-get install mariadb-server galera-4 mariadb-backup socat)`);
  }
}

/** The scripts and shared settings exactly as the generator renders them. */
function generatedFiles(): Record<string, string> {
  const spec = parseSpec(readFileSync(join(ROOT, 'examples', 'orders-db.galera.yaml'), 'utf8'), 'examples/orders-db.galera.yaml');
  const configMap = renderTree(spec).generated.get('base/configmap.yaml') ?? '';
  return (parse(configMap) as { data: Record<string, string> }).data;
}

export class GaleraLab {
  readonly dir = mkdtempSync(join(tmpdir(), 'galera-lab-'));
  readonly size = 3;
  private readonly subnet = `127.${String(60 + (process.pid % 150))}.${String(process.pid % 250)}`;
  private readonly processes: ChildProcess[] = [];

  constructor() {
    requireMariaDb();
    for (const [name, text] of Object.entries(generatedFiles())) writeFileSync(join(this.dir, name), text);
    const hosts = Array.from({ length: this.size }, (_, i) => this.ip(i));
    writeFileSync(join(this.dir, 'cluster.cnf'), `[mysqld]\nwsrep_cluster_address=gcomm://${hosts.join(',')}\n`);
    for (let i = 0; i < this.size; i++) {
      const m = this.member(i);
      mkdirSync(join(m, 'run'), { recursive: true });
      // What a pod gets for free and one host does not: its own address for every port,
      // and a socket of its own. Small InnoDB files keep the test fast.
      writeFileSync(
        join(m, 'extra.cnf'),
        [
          '[mysqld]', 'user=root', `bind-address=${this.ip(i)}`, `socket=${m}/mysqld.sock`, `pid-file=${m}/mysqld.pid`, `log-error=${m}/error.log`,
          `wsrep_provider_options="gmcast.listen_addr=tcp://${this.ip(i)}:4567;ist.recv_addr=${this.ip(i)}:4568"`,
          `wsrep_sst_receive_address=${this.ip(i)}:4444`, 'innodb_buffer_pool_size=32M', 'innodb_log_file_size=16M',
          '[client]', `socket=${m}/mysqld.sock`, '',
        ].join('\n'),
      );
    }
  }

  ip(i: number): string {
    return `${this.subnet}.${String(i + 1)}`;
  }

  member(i: number): string {
    return join(this.dir, `m${String(i)}`);
  }

  env(i: number): NodeJS.ProcessEnv {
    const m = this.member(i);
    return {
      PATH: process.env.PATH,
      HOSTNAME: `orders-db-${String(i)}`,
      GALERA_DATADIR: join(m, 'data'),
      GALERA_RUNTIME_DIR: join(m, 'run'),
      GALERA_DEFAULTS_FILE: join(this.dir, 'galera.cnf'),
      GALERA_CLUSTER_CNF: join(this.dir, 'cluster.cnf'),
      GALERA_EXTRA_CNF: join(m, 'extra.cnf'),
      GALERA_ELECTION_BIND: this.ip(i),
      MYSQL_ROOT_PASSWORD: "r00t'pass",
      GALERA_SST_PASSWORD: 'sst-pass',
    };
  }

  start(i: number): void {
    const log = openSync(join(this.member(i), 'start.log'), 'a');
    const child = spawn('bash', [join(this.dir, 'start.sh')], { env: this.env(i), stdio: ['ignore', log, log], detached: true });
    this.processes.push(child);
  }

  probe(i: number, kind: 'readiness' | 'liveness'): boolean {
    return spawnSync('bash', [join(this.dir, 'probe.sh'), kind], { env: this.env(i) }).status === 0;
  }

  async until(what: string, condition: () => boolean, seconds = 150): Promise<void> {
    for (let t = 0; t < seconds * 2; t++) {
      if (condition()) return;
      await sleep(500);
    }
    throw new Error(`timed out waiting until ${what}\n${this.logs()}`);
  }

  /** Starts every member the way OrderedReady does: the next only when the previous is Ready. */
  async startInOrder(): Promise<void> {
    for (let i = 0; i < this.size; i++) {
      this.start(i);
      await this.until(`member ${String(i)} is Ready`, () => this.probe(i, 'readiness'));
    }
  }

  sql(i: number, query: string): string {
    const r = spawnSync('mariadb', [`--defaults-extra-file=${join(this.member(i), 'run', 'my.cnf')}`, '-uroot', '-N', '-s', '-e', query], { env: { ...this.env(i), MYSQL_PWD: "r00t'pass" }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`member ${String(i)}: ${query}: ${r.stderr}`);
    return r.stdout.trim();
  }

  status(i: number, name: string): string {
    try {
      return this.sql(i, `SHOW GLOBAL STATUS LIKE '${name}'`).split('\t')[1] ?? '';
    } catch {
      return '';
    }
  }

  async allSynced(): Promise<void> {
    await this.until('every member is Synced', () => [0, 1, 2].every((i) => this.status(i, 'wsrep_local_state_comment') === 'Synced'));
  }

  private serverPid(i: number): number {
    return Number(readFileSync(join(this.member(i), 'mysqld.pid'), 'utf8').trim());
  }

  /** SIGTERM (a clean shutdown, as the kubelet sends) or SIGKILL (a crash), then waits. */
  async stop(members: number[], signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const pids = members.map((i) => this.serverPid(i));
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await this.until(`members ${members.join(', ')} stopped`, () => pids.every((pid) => !alive(pid)), 120);
  }

  grastate(i: number): string {
    return readFileSync(join(this.member(i), 'data', 'grastate.dat'), 'utf8');
  }

  /** The marker MariaDB's SST scripts keep in the data directory while a transfer runs. */
  markStateTransfer(i: number, on: boolean): void {
    const marker = join(this.member(i), 'data', 'sst_in_progress');
    if (on) writeFileSync(marker, '');
    else rmSync(marker, { force: true });
  }

  removeSavedView(i: number): void {
    rmSync(join(this.member(i), 'data', 'gvwstate.dat'), { force: true });
  }

  /** What start.sh decided, one entry per phase, since the last call. */
  phases(i: number): string[] {
    const file = join(this.member(i), 'start.log');
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('galera-gitops start: ')).map((l) => l.slice('galera-gitops start: '.length));
    writeFileSync(file, '');
    return lines.map((l) => l.replace(/[0-9a-f]{8}-[0-9a-f-]{27}:/g, '<uuid>:').trim());
  }

  logs(): string {
    return [0, 1, 2].map((i) => `--- member ${String(i)}\n${existsSync(join(this.member(i), 'start.log')) ? readFileSync(join(this.member(i), 'start.log'), 'utf8').slice(-2000) : ''}`).join('\n');
  }

  close(): void {
    for (const child of this.processes) {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    spawnSync('pkill', ['-KILL', '-f', this.dir]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
