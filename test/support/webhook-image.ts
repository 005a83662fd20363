/**
 * The webhook's image, built from the project's own Dockerfile by buildah with no registry
 * and no Docker daemon, so that the real node runs exactly what the Dockerfile ships. The
 * Dockerfile says `FROM node:24-bookworm-slim`; that base is made here the way the official
 * image is laid out (Debian bookworm, Node and its bundled npm in /usr/local, user `node`
 * at uid/gid 1000) and loaded under that name into a buildah storage of our own, which
 * lives in a temporary folder of .cache/images and is deleted after the build. Every
 * buildah command runs in one private mount namespace, so no mount outlives it, and with
 * chroot isolation: the default OCI isolation puts RUN steps on a CNI bridge that changes
 * the host (a cni-podman0 link, iptables chains, net.ipv4.ip_forward). Archives are cached
 * by a hash of the Dockerfile, .dockerignore, the build context and the base.
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import dockerignoreModule from '@balena/dockerignore';
import { CACHE, MIRROR, REGISTRY, SUITE, cached, debianRoot, hash, withLock, type Image } from './images.ts';
import { ROOT } from './paths.ts';
import { requireCommands, run } from './run.ts';

/** The name the Dockerfile's FROM lines resolve to. */
const BASE_NAME = 'docker.io/library/node:24-bookworm-slim';
/** The project's pinned Node (the `node` devDependency) and the npm that release bundles. */
const NODE_PACKAGE = join(ROOT, 'node_modules', 'node');
const NPM_VERSION = '11.19.0';
const NPM_INTEGRITY = 'sha512-SDd/hHg3KqHE5Ht2NHWxNYNtqCQ2pXAPLl6OtQhPyED5PHsRfrOtO199MZTIG2cQoQ1ZRI9t28shrD+2cr3AAw==';
/** What the host trusts; `npm ci` in RUN steps gets it (the machines may reach npm through a TLS-inspecting proxy). */
const HOST_CA = '/etc/ssl/certs/ca-certificates.crt';
const BASE_PACKAGES = ['ca-certificates'];
/** The official image's user, without package caches. */
const BASE_FIXUP = `
groupadd --gid 1000 node
useradd --uid 1000 --gid node --shell /bin/bash --create-home node
rm -rf /var/cache/apt/archives/*.deb /var/lib/apt/lists/* /var/log/*.log
`;

function nodeVersion(): string {
  const { version } = JSON.parse(readFileSync(join(NODE_PACKAGE, 'package.json'), 'utf8')) as { version: string };
  if (!version.startsWith('24.')) throw new Error(`node_modules/node is ${version}; the Dockerfile's base is Node 24`);
  return version;
}

/** npm, as the official image has it: /usr/local/lib/node_modules/npm and two links. */
function installNpm(root: string): void {
  requireCommands({ npm: 'npm' });
  const work = mkdtempSync(join(CACHE, 'npm-'));
  try {
    const [packed] = JSON.parse(run('npm', ['pack', `npm@${NPM_VERSION}`, '--json', '--pack-destination', work], { cwd: work })) as { filename: string; integrity: string }[];
    if (packed?.integrity !== NPM_INTEGRITY) throw new Error(`npm@${NPM_VERSION} has integrity ${String(packed?.integrity)}, expected ${NPM_INTEGRITY}`);
    const target = join(root, 'usr', 'local', 'lib', 'node_modules', 'npm');
    mkdirSync(target, { recursive: true });
    run('tar', ['-xzf', join(work, packed.filename), '-C', target, '--strip-components=1', '--no-same-owner']);
    for (const tool of ['npm', 'npx']) symlinkSync(`../lib/node_modules/npm/bin/${tool}-cli.js`, join(root, 'usr', 'local', 'bin', tool));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The stand-in for the official node:24-bookworm-slim. */
function nodeBase(): Image {
  const version = nodeVersion();
  const key = hash([SUITE, MIRROR, ...BASE_PACKAGES, BASE_FIXUP, version, NPM_VERSION, NPM_INTEGRITY]);
  const config = { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', `NODE_VERSION=${version}`], Cmd: ['node'] };
  return cached('node-base', key, config, (root) => {
    debianRoot(root, BASE_PACKAGES, BASE_FIXUP);
    const node = join(root, 'usr', 'local', 'bin', 'node');
    copyFileSync(join(NODE_PACKAGE, 'bin', 'node'), node);
    chmodSync(node, 0o755);
    installNpm(root);
    const env = { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1', npm_config_update_notifier: 'false' };
    const reported = run('chroot', [root, 'npm', '--version'], { env }).trim();
    if (reported !== NPM_VERSION) throw new Error(`npm in the base reports ${reported}, expected ${NPM_VERSION}`);
  });
}

/** Path, executable bit and content hash of every file the build context sends. */
function contextEntries(): string[] {
  // A CommonJS module whose types describe its `default` property.
  const filter = dockerignoreModule.default().add(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
  const entries: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(join(ROOT, relative), { withFileTypes: true })) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      // Docker walks into an ignored folder when a later `!` pattern may re-include part of it.
      if (entry.isDirectory()) {
        if (!['.git', 'node_modules', '.cache', 'dist'].includes(path)) walk(path);
      } else if (!filter.ignores(path)) {
        const full = join(ROOT, path);
        const stat = lstatSync(full);
        const content = stat.isSymbolicLink() ? readlinkSync(full) : readFileSync(full);
        entries.push(`${path}:${(stat.mode & 0o111) === 0 ? '-' : 'x'}:${createHash('sha256').update(content).digest('hex')}`);
      }
    }
  };
  walk('');
  return entries.sort();
}

/**
 * Loads the base under BASE_NAME, builds the Dockerfile and writes the result as a
 * docker-archive, all in one private mount namespace. In it, /etc and /var/lib are
 * overlays whose writes land in the work dir (buildah's blob-info cache goes to
 * /var/lib/containers, its CNI lock to /etc/cni whatever the storage options say). The
 * storage driver is overlay when it mounts here, vfs otherwise. RUN steps see the host's CA
 * bundle in place of the image's and an npmrc naming it, both mounted over files and
 * folders the base already has, so neither reaches a layer.
 */
const BUILD = `
set -euo pipefail
for dir in /etc /var/lib; do
  layer="$WORK/host-\${dir##*/}"; mkdir -p "$layer/upper" "$layer/work"
  mount -t overlay overlay -o "lowerdir=$dir,upperdir=$layer/upper,workdir=$layer/work" "$dir"
done
b() { buildah --root "$WORK/$DRIVER/root" --runroot "$WORK/$DRIVER/run" --storage-driver "$DRIVER" "$@"; }
DRIVER=overlay
if ! { c=$(b from scratch) && b mount "$c" >/dev/null && b rm "$c" >/dev/null; } 2>/dev/null; then DRIVER=vfs; fi
trust=()
if [ -f "$HOST_CA" ]; then
  mkdir "$WORK/npm-etc" && echo "cafile=/etc/ssl/certs/ca-certificates.crt" >"$WORK/npm-etc/npmrc"
  trust=(--volume "$HOST_CA:/etc/ssl/certs/ca-certificates.crt:ro" --volume "$WORK/npm-etc:/usr/local/etc:ro")
fi
b pull --quiet "docker-archive:$BASE_ARCHIVE" >/dev/null
b tag "$BASE_REF" "$BASE_NAME"
b bud --pull=never --isolation=chroot --format=docker --layers=false "\${trust[@]}" --file "$CONTEXT/Dockerfile" --tag "$REF" "$CONTEXT"
b push --quiet "$REF" "docker-archive:$OUT:$REF"
`;

/** The webhook image, from the Dockerfile, cached by everything that goes into it. */
export function webhookImage(): Image {
  const base = nodeBase();
  const key = hash([readFileSync(join(ROOT, 'Dockerfile'), 'utf8'), readFileSync(join(ROOT, '.dockerignore'), 'utf8'), ...contextEntries(), base.ref, BUILD]);
  const ref = `${REGISTRY}/webhook:${key}`;
  const archive = join(CACHE, `webhook-${key}.tar`);
  if (existsSync(archive)) return { ref, archive };
  return withLock('webhook', () => (existsSync(archive) ? { ref, archive } : build(base, ref, archive)));
}

function build(base: Image, ref: string, archive: string): Image {
  requireCommands({ buildah: 'buildah', unshare: 'util-linux' });
  const work = mkdtempSync(join(CACHE, 'buildah-'));
  try {
    mkdirSync(join(work, 'tmp'));
    const env = { ...process.env, WORK: work, TMPDIR: join(work, 'tmp'), HOST_CA, BASE_ARCHIVE: base.archive, BASE_REF: base.ref, BASE_NAME, CONTEXT: ROOT, REF: ref, OUT: `${archive}.partial` };
    run('unshare', ['--mount', '--propagation', 'private', 'bash', '-c', BUILD], { env, timeout: 40 * 60_000 });
    renameSync(`${archive}.partial`, archive);
    for (const file of readdirSync(CACHE)) if (/^webhook-[0-9a-f]+\.tar$/.test(file) && join(CACHE, file) !== archive) rmSync(join(CACHE, file));
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(`${archive}.partial`, { force: true });
  }
  return { ref, archive };
}
