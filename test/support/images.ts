/**
 * Container images without a registry, for the real node: a root file system made by
 * debootstrap (or a single static binary), packed as a docker-archive tar (manifest.json,
 * a config JSON and one layer tar) that `ctr images import` loads into containerd.
 * Archives are cached in .cache/images by a hash of everything that goes into them, so a
 * second run builds nothing.
 */
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths.ts';
import { requireCommands, run } from './run.ts';
import { tools } from './tools.ts';

export const CACHE = join(ROOT, '.cache', 'images');
/**
 * A registry name that says nothing about Galera: an ordinary test workload's image must not
 * look like Galera to detection (galera as a word in an image is a signal).
 */
export const REGISTRY = 'images.test';
/** Debian release and mirror of every root file system (the machines reach Debian's archive). */
export const SUITE = 'bookworm';
export const MIRROR = 'http://deb.debian.org/debian';

export interface Image {
  /** The reference pods name: `images.test/<name>:<content hash>`. */
  ref: string;
  /** The docker-archive tar to import. */
  archive: string;
}

export interface ImageConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  User?: string;
  WorkingDir?: string;
}

export const hash = (parts: readonly string[]): string => createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16);

/**
 * Packs the folder `root` into a docker-archive at `archive` named `ref`. The layer keeps
 * numeric owners (uid 999 must stay 999) and leaves out /dev, /proc and /sys, which the
 * runtime provides.
 */
export function packImage(root: string, ref: string, config: ImageConfig, archive: string): void {
  const work = mkdtempSync(join(CACHE, 'pack-'));
  try {
    run('tar', ['-C', root, '--numeric-owner', '--xattrs', '--exclude=./dev/*', '--exclude=./proc/*', '--exclude=./sys/*', '-cf', join(work, 'layer.tar'), '.']);
    const diffId = `sha256:${createHash('sha256').update(readFileSync(join(work, 'layer.tar'))).digest('hex')}`;
    const imageConfig = JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ...config },
      rootfs: { type: 'layers', diff_ids: [diffId] },
    });
    const configName = `${createHash('sha256').update(imageConfig).digest('hex')}.json`;
    writeFileSync(join(work, configName), imageConfig);
    writeFileSync(join(work, 'manifest.json'), JSON.stringify([{ Config: configName, RepoTags: [ref], Layers: ['layer.tar'] }]));
    run('tar', ['-C', work, '-cf', `${archive}.partial`, 'manifest.json', configName, 'layer.tar']);
    renameSync(`${archive}.partial`, archive);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Runs `work` holding `<name>.lock` in the cache: test files run side by side (scripts/
 * test.sh) and must not build the same image twice at once. A lock older than an hour is
 * left by a killed run and taken over.
 */
export function withLock<T>(name: string, work: () => T): T {
  mkdirSync(CACHE, { recursive: true });
  const lock = join(CACHE, `${name}.lock`);
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 3_600_000) rmSync(lock, { force: true });
      } catch {
        // released meanwhile
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
    }
  }
  try {
    return work();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Builds the image with `build(root)` unless an archive with the same key is cached. */
export function cached(name: string, key: string, config: ImageConfig, build: (root: string) => void): Image {
  mkdirSync(CACHE, { recursive: true });
  const ref = `${REGISTRY}/${name}:${key}`;
  // The reference is inside the archive: a new registry name is a new archive.
  const archive = join(CACHE, `${name}-${hash([key, REGISTRY])}.tar`);
  if (existsSync(archive)) return { ref, archive };
  return withLock(name, () => (existsSync(archive) ? { ref, archive } : buildInto(name, ref, archive, config, build)));
}

function buildInto(name: string, ref: string, archive: string, config: ImageConfig, build: (root: string) => void): Image {
  const root = mkdtempSync(join(CACHE, `${name}-root-`));
  try {
    build(root);
    packImage(root, ref, config, archive);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  // Older builds of the same image are never used again.
  for (const file of readdirSync(CACHE)) if (file.startsWith(`${name}-`) && file.endsWith('.tar') && join(CACHE, file) !== archive) rmSync(join(CACHE, file));
  return { ref, archive };
}

/**
 * A Debian root file system with `packages`, made in a private mount namespace so that
 * the /proc and /sys debootstrap mounts inside it never outlive it, then `fixup` run in it.
 */
export function debianRoot(root: string, packages: readonly string[], fixup: string): void {
  requireCommands({ debootstrap: 'debootstrap', unshare: 'util-linux' });
  run('unshare', ['--mount', '--propagation', 'private', 'debootstrap', '--variant=minbase', `--include=${packages.join(',')}`, SUITE, root, MIRROR], { timeout: 20 * 60_000 });
  run('unshare', ['--mount', '--propagation', 'private', 'chroot', root, 'bash', '-euo', 'pipefail', '-c', fixup]);
}

// openssl: an encrypted state transfer checks the certificates with it (the official image has it through ca-certificates).
const MARIADB_PACKAGES = ['mariadb-server', 'galera-4', 'mariadb-backup', 'socat', 'openssl'];
/**
 * Laid out like the official mariadb image the overlays name: the `mysql` user at uid/gid
 * 999 (the generated securityContext runs as 999 and the kubelet gives the data volume
 * that group), an empty /var/lib/mysql, a /run/mysqld anyone may write, no package caches.
 */
const MARIADB_FIXUP = `
old_uid=$(id -u mysql); old_gid=$(id -g mysql)
usermod -u 999 mysql; groupmod -g 999 mysql
find / -xdev \\( -uid "$old_uid" -o -gid "$old_gid" \\) -exec chown -h 999:999 {} +
rm -rf /var/lib/mysql && mkdir -m 755 /var/lib/mysql && chown 999:999 /var/lib/mysql
mkdir -p /run/mysqld && chown 999:999 /run/mysqld && chmod 777 /run/mysqld
rm -rf /var/cache/apt/archives/*.deb /var/lib/apt/lists/* /var/log/*.log
`;

/** MariaDB Galera from Debian's packages (10.11 and galera-4 26.4 in bookworm). */
export function mariadbImage(): Image {
  const key = hash([SUITE, MIRROR, ...MARIADB_PACKAGES, MARIADB_FIXUP]);
  return cached('mariadb-galera', key, { Cmd: ['mariadbd'], User: 'mysql' }, (root) => {
    debianRoot(root, MARIADB_PACKAGES, MARIADB_FIXUP);
  });
}

/** The pod sandbox: Kubernetes' own pause.c of the pinned release, linked statically. */
export function pauseImage(): Image {
  const source = tools().pauseSource;
  const key = hash([readFileSync(source, 'utf8')]);
  return cached('pause', key, { Entrypoint: ['/pause'] }, (root) => {
    requireCommands({ gcc: 'gcc (and libc6-dev for the static libc)' });
    run('gcc', ['-Os', '-static', '-DVERSION=galera-gitops', '-o', join(root, 'pause'), source]);
  });
}

/** The static `binary` alone in the image `name` as /bin/`command`, run as `user`; keyed by the binary's hash. */
export function binaryImage(name: string, binary: string, command: string, user: string): Image {
  const key = hash([createHash('sha256').update(readFileSync(binary)).digest('hex')]);
  return cached(name, key, { Entrypoint: [`/bin/${command}`], User: user }, (root) => {
    mkdirSync(join(root, 'bin'));
    copyFileSync(binary, join(root, 'bin', command));
    chmodSync(join(root, 'bin', command), 0o755);
  });
}

/** mysqld_exporter built from its Go module (scripts/tools.sh), alone in its image, as nobody. */
export function exporterImage(): Image {
  return binaryImage('mysqld-exporter', tools().mysqldExporter, 'mysqld_exporter', '65534:65534');
}
