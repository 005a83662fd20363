/**
 * A real S3-compatible server on the real node for the backup tests: versitygw (built from
 * its Go module by scripts/tools.sh) with its posix backend, alone in its image, serving a
 * folder of the node's directory (a bucket is a folder, an object a file) through a
 * headless Service (the node has no kube-proxy). Its root keys are made per run. And the
 * S3 client the generated backups copy in: rclone from Debian's package, in an image of its
 * own, named as `backup.s3.clientImage`.
 */
import { randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { binaryImage, cached, debianRoot, hash, MIRROR, SUITE, type Image } from './images.ts';
import type { RealNode } from './node.ts';
import { tools } from './tools.ts';

const NOBODY = 65534;
const PORT = 7070;

/** versitygw alone in its image, as nobody. */
export function versitygwImage(): Image {
  return binaryImage('versitygw', tools().versitygw, 'versitygw', `${String(NOBODY)}:${String(NOBODY)}`);
}

const RCLONE_PACKAGES = ['rclone', 'ca-certificates'];
const RCLONE_FIXUP = 'rm -rf /var/cache/apt/archives/*.deb /var/lib/apt/lists/* /var/log/*.log';

/** Debian's rclone (1.60 in bookworm), with sh and cp for the init container's copy. */
export function rcloneImage(): Image {
  const key = hash([SUITE, MIRROR, ...RCLONE_PACKAGES, RCLONE_FIXUP]);
  return cached('rclone', key, { Entrypoint: ['rclone'] }, (root) => {
    debianRoot(root, RCLONE_PACKAGES, RCLONE_FIXUP);
  });
}

export class S3Store {
  readonly namespace = 'backup-store';
  readonly bucket = 'galera-backups';
  readonly endpoint = `http://s3.backup-store.svc:${String(PORT)}`;
  /** The server's folder on this machine: `<dir>/<bucket>/<key>` is an object. */
  readonly dir: string;
  private readonly access = `test${randomBytes(8).toString('hex')}`;
  private readonly secret = randomBytes(24).toString('base64url');

  readonly node: RealNode;

  private constructor(node: RealNode) {
    this.node = node;
    this.dir = join(node.dir, 's3-store');
  }

  /** The server running with an empty bucket, its Service resolving. */
  static async start(node: RealNode): Promise<S3Store> {
    const store = new S3Store(node);
    const image = versitygwImage();
    node.loadImage(image);
    mkdirSync(join(store.dir, store.bucket), { recursive: true });
    for (const d of [store.dir, join(store.dir, store.bucket)]) chownSync(d, NOBODY, NOBODY);
    const labels = { 'app.kubernetes.io/name': 's3-store' };
    const docs = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: store.namespace } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's3-root', namespace: store.namespace }, stringData: { ROOT_ACCESS_KEY_ID: store.access, ROOT_SECRET_ACCESS_KEY: store.secret } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's3', namespace: store.namespace }, spec: { clusterIP: 'None', selector: labels, ports: [{ name: 's3', port: PORT }] } },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 's3', namespace: store.namespace },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [{
                name: 'versitygw',
                image: image.ref,
                args: ['--port', `:${String(PORT)}`, '--quiet', 'posix', '/data'],
                envFrom: [{ secretRef: { name: 's3-root' } }],
                readinessProbe: { tcpSocket: { port: PORT }, periodSeconds: 1 },
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
              }],
              volumes: [{ name: 'data', hostPath: { path: store.dir, type: 'Directory' } }],
            },
          },
        },
      },
    ];
    for (const doc of docs) {
      const r = node.apply(JSON.stringify(doc));
      if (r.status !== 0) throw new Error(`kubectl apply ${doc.kind}: ${r.stderr}`);
    }
    await store.waitReplicas(1);
    return store;
  }

  /** The Secret `name` in `namespace` with the keys the generated backups read. */
  credentials(namespace: string, name: string): void {
    const r = this.node.apply(JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, stringData: { 'access-key-id': this.access, 'secret-access-key': this.secret } }));
    if (r.status !== 0) throw new Error(`kubectl apply Secret: ${r.stderr}`);
  }

  /** Stops (0) or starts (1) the server: a bucket that cannot be reached. */
  async scale(replicas: 0 | 1): Promise<void> {
    this.node.kubectl(['scale', 'deployment', 's3', '-n', this.namespace, `--replicas=${String(replicas)}`]);
    await this.waitReplicas(replicas);
  }

  private async waitReplicas(replicas: number): Promise<void> {
    await this.node.waitFor(`the S3 server at ${String(replicas)} ready replicas`, 180_000, () => {
      const r = this.node.kubectl(['get', 'pods', '-n', this.namespace, '-l', 'app.kubernetes.io/name=s3-store', '-o', 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']);
      return r.stdout.split('\n').filter((l) => l === 'True').length === replicas && r.stdout.trim().split('\n').filter((l) => l !== '').length === replicas;
    });
  }

  /** The objects under `prefix` in the bucket, with their sizes, by key. */
  objects(prefix: string): Map<string, number> {
    const found = new Map<string, number>();
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else found.set(relative(join(this.dir, this.bucket), p), statSync(p).size);
      }
    };
    const root = join(this.dir, this.bucket, prefix);
    try {
      walk(root);
    } catch {
      // no object under the prefix yet
    }
    return found;
  }

  /** The file on this machine that holds the object `key`. */
  file(key: string): string {
    return join(this.dir, this.bucket, key);
  }
}
