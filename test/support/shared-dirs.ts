/**
 * The folders containerd and the kubelet hard-code (/var/lib/kubelet, /var/log/containers,
 * ...) must exist on the host as mount points for each node's private bind mounts. When
 * several real nodes run at once (`npm test` runs two test lanes on nodes), the first one
 * creates the folders that were missing and the last one to stop removes them, so the
 * host ends as it began whatever the order. A small registry under the system's temporary
 * folder, guarded by a lock folder, records who is running and what was created.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REGISTRY = join(tmpdir(), 'galera-gitops-nodes');
const LOCK = `${REGISTRY}.lock`;
const USERS = join(REGISTRY, 'users');
const CREATED = join(REGISTRY, 'created.json');

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function locked<T>(body: () => T): T {
  for (let i = 0; ; i++) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock left by a process that died while holding it is old; take it over.
      if (i > 200) rmSync(LOCK, { recursive: true, force: true });
      pause(25);
    }
  }
  try {
    return body();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** The ids of the nodes running now, dropping those whose test process died. */
function users(): string[] {
  if (!existsSync(USERS)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(USERS)) {
    const pid = Number(readFileSync(join(USERS, entry), 'utf8'));
    if (alive(pid)) found.push(entry);
    else rmSync(join(USERS, entry), { force: true });
  }
  return found;
}

const created = (): string[] => (existsSync(CREATED) ? (JSON.parse(readFileSync(CREATED, 'utf8')) as string[]) : []);

/** Other real nodes running on this machine now (for host-state comparisons). */
export function otherNodes(ownId: string): string[] {
  return locked(() => users().filter((id) => id !== ownId));
}

/** Makes sure every folder exists and registers node `id` as using them. */
export function acquireDirs(id: string, dirs: readonly string[]): void {
  locked(() => {
    mkdirSync(USERS, { recursive: true });
    const made = created();
    for (const dir of dirs) {
      if (existsSync(dir)) continue;
      mkdirSync(dir, { recursive: true });
      made.push(dir);
    }
    writeFileSync(CREATED, JSON.stringify(made));
    writeFileSync(join(USERS, id), String(process.pid));
  });
}

/** Unregisters node `id`; the last node out removes the folders the nodes created. */
export function releaseDirs(id: string): void {
  locked(() => {
    rmSync(join(USERS, id), { force: true });
    if (users().length > 0) return;
    const errors: string[] = [];
    for (const dir of created().reverse()) {
      try {
        if (existsSync(dir)) rmdirSync(dir);
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      }
    }
    rmSync(REGISTRY, { recursive: true, force: true });
    if (errors.length > 0) throw new Error(errors.join('\n'));
  });
}
