/**
 * The real node's cgroups: a root of its own in every cgroup v1 hierarchy, under which the
 * kubelet puts every pod (`cgroupRoot`) and the harness puts containerd and the kubelet
 * (`runtime`). Teardown therefore knows exactly which processes to kill and which cgroups
 * to remove, and never touches another cgroup of the host.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './processes.ts';

const CGROUP = '/sys/fs/cgroup';

export class NodeCgroups {
  /** The root's path inside each hierarchy (`/galera-gitops-<id>`). */
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  /** Where a process writes its pid to join the node's runtime cgroup. */
  get runtimeProcs(): string {
    return join(CGROUP, 'pids', this.root, 'runtime', 'cgroup.procs');
  }

  create(): void {
    for (const hierarchy of readdirSync(CGROUP).filter((h) => h !== 'unified' && existsSync(join(CGROUP, h, 'cgroup.procs')))) {
      const dir = join(CGROUP, hierarchy, this.root);
      mkdirSync(dir);
      // A new cpuset is empty until told which CPUs and memory nodes it may use.
      if (hierarchy === 'cpuset') for (const file of ['cpuset.cpus', 'cpuset.mems']) writeFileSync(join(dir, file), readFileSync(join(CGROUP, 'cpuset', file)));
    }
    mkdirSync(join(CGROUP, 'pids', this.root, 'runtime'));
  }

  /** Pids in the node's cgroups; with `podUid`, only those of that pod (sandbox and containers). */
  processes(podUid?: string): { pid: number; comm: string }[] {
    const found: { pid: number; comm: string }[] = [];
    const walk = (dir: string, selected: boolean): void => {
      if (selected) {
        for (const line of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n')) {
          if (line === '') continue;
          try {
            found.push({ pid: Number(line), comm: readFileSync(`/proc/${line}/comm`, 'utf8').trim() });
          } catch {
            // exited meanwhile
          }
        }
      }
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(dir, entry.name), selected || entry.name === `pod${podUid ?? ''}`);
      }
    };
    const top = join(CGROUP, 'pids', this.root);
    if (existsSync(top)) walk(top, podUid === undefined);
    return found;
  }

  /** SIGKILL to every process in the node's cgroups until none is left. */
  async killAll(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const pids = this.processes();
      if (pids.length === 0) return;
      for (const { pid } of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await sleep(100);
    }
    throw new Error(`processes left in the node's cgroups: ${this.processes().map((p) => `${String(p.pid)} ${p.comm}`).join(', ')}`);
  }

  /** Removes the node's cgroups, deepest first, in every hierarchy. */
  async remove(): Promise<void> {
    const remove = (dir: string): void => {
      if (!existsSync(dir)) return;
      for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) remove(join(dir, entry.name));
      rmdirSync(dir);
    };
    for (const hierarchy of readdirSync(CGROUP)) {
      for (let attempt = 0; ; attempt++) {
        try {
          remove(join(CGROUP, hierarchy, this.root));
          break;
        } catch (error) {
          // A cgroup whose last process just exited can be busy for a moment.
          if (attempt >= 50) throw error;
          await sleep(100);
        }
      }
    }
  }
}
