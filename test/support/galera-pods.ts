/**
 * A generated Galera environment running as real pods on the real node: the overlay built
 * by the pinned kustomize with only the image replaced (an `images:` override, what
 * `kustomize edit set image` writes), applied with kubectl, `local` PersistentVolumes made
 * for its claims (the kubelet applies fsGroup to local volumes), Secrets made for the run,
 * and SQL straight to each member's pod address.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { planAll } from '../../generator/generate.ts';
import { apply as writePlan } from '../../generator/write.ts';
import { DEFAULT_EXPORTER_IMAGE } from '../../generator/spec.ts';
import { installCrds } from './crds.ts';
import { exporterImage, type Image } from './images.ts';
import type { RealNode } from './node.ts';
import { kustomizeBuild, tools } from './tools.ts';

export interface PodInfo {
  name: string;
  ip: string;
  ready: boolean;
  phase: string;
  uid: string;
  restarts: number;
  deleting: boolean;
}

interface PodList {
  items: {
    metadata: { name: string; uid: string; deletionTimestamp?: string };
    status: { podIP?: string; phase?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { name: string; restartCount: number }[] };
  }[];
}

/** Generates `spec` (YAML text) into `dir` and returns the tree's root (`<dir>/<name>`). */
export function generateTree(specFile: string, dir: string): string {
  const [cluster] = planAll([specFile], dir);
  if (cluster === undefined) throw new Error(`${specFile} holds no cluster`);
  writePlan(cluster.plan);
  return join(dir, cluster.spec.name);
}

export class GaleraPods {
  /** The Secrets' values; `rotate()` replaces them. */
  rootPassword = randomBytes(12).toString('hex');
  monitorPassword = randomBytes(12).toString('hex');
  appPassword = randomBytes(12).toString('hex');
  readonly node: RealNode;
  readonly namespace: string;
  readonly name: string;
  /** The environment's overlay folder in the generated tree (`useOverlay` changes it), and the image it runs. */
  overlay: string;
  readonly image: Image;
  private readonly wrapper: string;
  private readonly images: Record<string, string>[];
  private readonly storageClass: string;
  private volumeGeneration = 0;
  private crdsInstalled = false;
  /** Each member's current volume folder. */
  readonly volumes = new Map<number, string>();

  constructor(node: RealNode, options: { overlay: string; image: Image; namespace: string; name: string; storageClass?: string; exporter?: Image }) {
    this.node = node;
    this.namespace = options.namespace;
    this.name = options.name;
    this.overlay = options.overlay;
    this.image = options.image;
    this.storageClass = options.storageClass ?? 'local';
    this.wrapper = join(node.dir, 'overlays', `${options.namespace}-${options.name}`);
    mkdirSync(this.wrapper, { recursive: true });
    // The exporter's image: mysqld_exporter built from its Go module, in place of quay.io's.
    const exporter = options.exporter ?? exporterImage();
    node.loadImage(exporter);
    const image = (name: string, ref: string): Record<string, string> => {
      const [newName = ref, newTag = ''] = ref.split(/:(?=[^:]+$)/);
      return { name, newName, newTag };
    };
    this.images = [image('mariadb', options.image.ref), image(DEFAULT_EXPORTER_IMAGE.split(':')[0] ?? '', exporter.ref)];
    this.useOverlay(options.overlay);
  }

  /** The overlay `apply` builds from now on: the same environment regenerated from a changed spec. */
  useOverlay(overlay: string): void {
    this.overlay = overlay;
    const kustomization = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [relative(this.wrapper, overlay)], images: this.images };
    writeFileSync(join(this.wrapper, 'kustomization.yaml'), JSON.stringify(kustomization));
  }

  /** The manifests kubectl applies: the overlay as kustomize builds it, image replaced. */
  manifests(): string {
    return kustomizeBuild(this.wrapper);
  }

  /**
   * Applies the overlay (it brings its own Namespace), then the Secrets it names. The
   * Prometheus Operator's and cert-manager's CRDs come first, as a cluster that runs the
   * overlays has them (no operator runs here: the objects are only stored).
   */
  apply(): void {
    if (!this.crdsInstalled) installCrds((args, input) => this.node.kubectl(args, input), [tools().monitoringCrds, tools().certManagerCrds]);
    this.crdsInstalled = true;
    this.node.apply(this.manifests());
    this.applySecrets();
  }

  private applySecrets(): void {
    const secret = (name: string, password: string): string =>
      JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: this.namespace }, stringData: { password } });
    this.node.apply([secret(`${this.name}-root`, this.rootPassword), secret(`${this.name}-monitor`, this.monitorPassword), secret(`${this.name}-app`, this.appPassword)].join('\n---\n'));
  }

  /** New values in every Secret (what a rotation is); the members take them at their next start. */
  rotate(): void {
    this.rootPassword = randomBytes(12).toString('hex');
    this.monitorPassword = randomBytes(12).toString('hex');
    this.appPassword = randomBytes(12).toString('hex');
    this.applySecrets();
  }

  claim(ordinal: number): string {
    return `data-${this.name}-${String(ordinal)}`;
  }

  /**
   * A fresh, empty `local` PersistentVolume bound in advance to member `ordinal`'s claim,
   * in a folder of the node's work dir.
   */
  createVolume(ordinal: number): string {
    const path = this.createClaimVolume(this.claim(ordinal));
    this.volumes.set(ordinal, path);
    return path;
  }

  /** A fresh, empty `local` PersistentVolume bound in advance to the claim `claim` of the namespace. */
  createClaimVolume(claim: string): string {
    this.volumeGeneration++;
    const pv = `${this.namespace}-${claim}-${String(this.volumeGeneration)}`;
    const path = join(this.node.dir, 'volumes', pv);
    mkdirSync(path, { recursive: true });
    this.node.apply(JSON.stringify({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: pv, labels: { 'galera-gitops.io/test-namespace': this.namespace } },
      spec: {
        capacity: { storage: '1Ti' },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: this.storageClass,
        claimRef: { namespace: this.namespace, name: claim },
        local: { path },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [this.node.layout.name] }] }] } },
      },
    }));
    return path;
  }

  /** Member `ordinal` loses its volume: claim, volume and data are gone; an empty one waits. */
  loseVolume(ordinal: number): string {
    const path = this.volumes.get(ordinal) ?? '';
    this.node.kubectl(['delete', 'pvc', this.claim(ordinal), '-n', this.namespace, '--wait=false']);
    this.node.kubectl(['patch', 'pvc', this.claim(ordinal), '-n', this.namespace, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    const bound = this.node.kubectl(['get', 'pv', '-o', `jsonpath={.items[?(@.spec.local.path=="${path}")].metadata.name}`]).stdout;
    if (bound !== '') this.node.kubectl(['delete', 'pv', bound, '--wait=false']);
    if (bound !== '') this.node.kubectl(['patch', 'pv', bound, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    rmSync(path, { recursive: true, force: true });
    return this.createVolume(ordinal);
  }

  pods(): PodInfo[] {
    const r = this.node.kubectl(['get', 'pods', '-n', this.namespace, '-l', `galera-gitops.io/cluster=${this.name}`, '-o', 'json']);
    if (r.status !== 0) return [];
    const list = JSON.parse(r.stdout) as PodList;
    return list.items
      .map((p) => ({
        name: p.metadata.name,
        uid: p.metadata.uid,
        ip: p.status.podIP ?? '',
        phase: p.status.phase ?? '',
        ready: p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
        restarts: p.status.containerStatuses?.find((c) => c.name === 'galera')?.restartCount ?? 0,
        deleting: p.metadata.deletionTimestamp !== undefined,
      }))
      .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  }

  pod(ordinal: number): PodInfo | undefined {
    return this.pods().find((p) => p.name === `${this.name}-${String(ordinal)}`);
  }

  /** Waits until exactly `members` pods exist and all are Ready; returns the time it took. */
  async waitReady(members: number, timeoutMs: number): Promise<number> {
    return this.node.waitFor(`${String(members)} Ready members of ${this.namespace}/${this.name}`, timeoutMs, () => {
      const pods = this.pods();
      return pods.length === members && pods.every((p) => p.ready && !p.deleting);
    }, 1000);
  }

  /**
   * Waits until `members` pods are Ready and every one of them is Synced in a Primary
   * component of that size (in a full-cluster recovery members are Ready before that).
   */
  async waitSynced(members: number, timeoutMs: number): Promise<number> {
    const begin = Date.now();
    for (;;) {
      const pods = this.pods();
      if (pods.length === members && pods.every((p) => p.ready && !p.deleting)) {
        const states = await Promise.all(pods.map((_, i) => this.wsrep(i).catch((): Record<string, string> => ({}))));
        if (states.every((s) => s.wsrep_local_state_comment === 'Synced' && s.wsrep_cluster_size === String(members) && s.wsrep_cluster_status === 'Primary')) return Date.now() - begin;
      }
      if (Date.now() - begin > timeoutMs) throw new Error(`timed out after ${String(timeoutMs / 1000)} s waiting for ${String(members)} Synced members of ${this.namespace}/${this.name}: ${JSON.stringify(pods)}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  /** The addresses the client Service routes to: its EndpointSlices' ready endpoints. */
  readyEndpoints(): string[] {
    const r = this.node.kubectl(['get', 'endpointslices', '-n', this.namespace, '-l', `kubernetes.io/service-name=${this.name}`, '-o', 'json']);
    if (r.status !== 0) return [];
    const slices = JSON.parse(r.stdout) as { items: { endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] }[] };
    return slices.items.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready === true).flatMap((e) => e.addresses)).sort();
  }

  async connect(ip: string, database?: string): Promise<Connection> {
    return createConnection({ host: ip, port: 3306, user: 'root', password: this.rootPassword, database, connectTimeout: 3000 });
  }

  /** Runs one statement on member `ordinal` and returns its rows. */
  async query(ordinal: number, sql: string, params: unknown[] = []): Promise<RowDataPacket[]> {
    const pod = this.pod(ordinal);
    if (pod === undefined || pod.ip === '') throw new Error(`${this.name}-${String(ordinal)} has no address`);
    const connection = await this.connect(pod.ip);
    try {
      const [rows] = await connection.query<RowDataPacket[]>(sql, params);
      return rows;
    } finally {
      await connection.end();
    }
  }

  /** SHOW GLOBAL STATUS LIKE 'wsrep_%' of member `ordinal`, as a record. */
  async wsrep(ordinal: number): Promise<Record<string, string>> {
    const rows = await this.query(ordinal, "SHOW GLOBAL STATUS LIKE 'wsrep_%'");
    return Object.fromEntries(rows.map((r) => [String(r.Variable_name), String(r.Value)]));
  }
}
