/**
 * What the host looks like from outside a harness: kernel settings, firewall rules,
 * network links, mounts, top-level cgroups and processes. Taken before and after the real
 * node runs, the two must be equal: the node changes nothing it does not remove.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GUARDED_SYSCTLS, HARD_CODED_DIRS } from './node-config.ts';

export interface HostState {
  sysctls: Record<string, string>;
  iptables: string;
  /** `name` or `name master <bridge>`. */
  links: string[];
  routes: string[];
  mounts: string[];
  cgroups: string[];
  dirs: string[];
}

const CGROUP = '/sys/fs/cgroup';

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '(unreadable)';
  }
}

function sysctls(): Record<string, string> {
  const keys = [...GUARDED_SYSCTLS, 'net/ipv6/conf/all/forwarding'];
  for (const iface of readdirSync('/proc/sys/net/ipv4/conf')) keys.push(`net/ipv4/conf/${iface}/forwarding`);
  if (existsSync('/proc/sys/net/bridge')) for (const key of readdirSync('/proc/sys/net/bridge')) keys.push(`net/bridge/${key}`);
  return Object.fromEntries(keys.sort().map((k) => [k, read(`/proc/sys/${k}`)]));
}

const lines = (command: string, args: string[]): string[] => {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n').filter((l) => l !== '') : [`(${command} failed: ${r.stderr.trim()})`];
};

/** Top-level cgroups of every hierarchy, as `<hierarchy>/<name>`. */
export function topCgroups(): string[] {
  const found: string[] = [];
  for (const hierarchy of readdirSync(CGROUP)) {
    const dir = join(CGROUP, hierarchy);
    try {
      for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) found.push(`${hierarchy}/${entry.name}`);
    } catch {
      // not a hierarchy
    }
  }
  return found.sort();
}

function link(line: string): string {
  const name = line.replace(/^\d+: /, '').split(':')[0] ?? line;
  const master = / master (\S+)/.exec(line)?.[1];
  return master === undefined ? name : `${name} master ${master}`;
}

export function hostState(): HostState {
  return {
    sysctls: sysctls(),
    // iptables-save prints nothing when no table was ever used; both forms compare equal.
    iptables: lines('iptables-save', []).filter((l) => !l.startsWith('#')).join('\n'),
    links: lines('ip', ['-o', 'link', 'show']).map(link).sort(),
    routes: lines('ip', ['route', 'show']).sort(),
    mounts: read('/proc/self/mountinfo').split('\n').map((l) => l.split(' ')[4] ?? '').sort(),
    cgroups: topCgroups(),
    dirs: HARD_CODED_DIRS.filter((d) => existsSync(d)),
  };
}

/**
 * Another real node running at the same time (`npm test` runs lanes in parallel) adds and
 * removes its own bridge, veths, routes and cgroup; `foreign` says which lines are its.
 */
export function foreignTo(ownId: string): (line: string) => boolean {
  const other = (name: string, prefix: string): boolean => name.startsWith(prefix) && name !== `${prefix}${ownId}`;
  return (line) => line.split(/[\s/@]+/).some((word) => other(word, 'ggn') || other(word, 'galera-gitops-'));
}

/** Every difference between two states, one line each; empty when the host is as it was. */
export function differences(before: HostState, after: HostState, foreign: (line: string) => boolean = () => false, sharedDirs = false): string[] {
  const out: string[] = [];
  const foreignLinks = new Set([...before.links, ...after.links].filter(foreign).map((l) => (l.split(' ')[0] ?? l).split('@')[0] ?? l));
  for (const [key, value] of Object.entries(after.sysctls)) {
    const iface = /^net\/ipv4\/conf\/([^/]+)\/forwarding$/.exec(key)?.[1];
    if (iface !== undefined && foreignLinks.has(iface)) continue;
    if (before.sysctls[key] !== value) out.push(`sysctl ${key}: ${before.sysctls[key] ?? '(absent)'} -> ${value}`);
  }
  if (before.iptables !== after.iptables) out.push(`iptables rules changed:\n${after.iptables}`);
  const listDiff = (name: string, a: string[], b: string[]): void => {
    const mine = (v: string): boolean => !foreign(v);
    for (const x of b.filter((v) => !a.includes(v) && mine(v))) out.push(`${name} added: ${x}`);
    for (const x of a.filter((v) => !b.includes(v) && mine(v))) out.push(`${name} removed: ${x}`);
  };
  listDiff('link', before.links, after.links);
  listDiff('route', before.routes, after.routes);
  listDiff('mount', before.mounts, after.mounts);
  listDiff('cgroup', before.cgroups, after.cgroups);
  // The hard-coded folders belong to every node running; the last one out removes them.
  if (!sharedDirs) listDiff('directory', before.dirs, after.dirs);
  return out;
}

/** Processes whose command line mentions `marker` (the node's work dir). */
export function processesMentioning(marker: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const cmdline = read(`/proc/${pid}/cmdline`).replace(/\0/g, ' ');
    if (cmdline.includes(marker) && Number(pid) !== process.pid) found.push(`${pid} ${cmdline.slice(0, 200)}`);
  }
  return found;
}
