/**
 * The set-up shared by the failure-scenario tests: a real node, the bundled example's
 * spec with a `staging` environment sized for a 2-CPU node, generated, applied with the
 * image replaced, Synced, and the row-counting writer started.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GaleraPods, generateTree } from './galera-pods.ts';
import { GaleraWriter } from './galera-writer.ts';
import { mariadbImage } from './images.ts';
import { RealNode } from './node.ts';
import { ROOT } from './paths.ts';
import { ScenarioLog } from './scenarios.ts';

export interface ScenarioCluster {
  node: RealNode;
  cluster: GaleraPods;
  writer: GaleraWriter;
  log: ScenarioLog;
  /** Regenerates the tree with `edit` applied to the spec text, then applies it (what a GitOps sync does). */
  regenerate: (edit: (spec: string) => string) => void;
  firstStartSeconds: number;
}

/** The liveness bound the scenarios run with (the generated default is 120 s), set the way a team would: a patch in local/. */
export const STUCK_SECONDS = 45;

const LOCAL = `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
  - patch: |-
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: orders-db}
      spec:
        template:
          spec:
            containers:
              - name: galera
                env:
                  - {name: GALERA_STUCK_SECONDS, value: "${String(STUCK_SECONDS)}"}
`;

export async function startScenarioCluster(): Promise<ScenarioCluster> {
  const image = mariadbImage();
  const node = await RealNode.start();
  try {
    node.loadImage(image);
    const dir = mkdtempSync(join(tmpdir(), 'galera-scenarios-'));
    const example = readFileSync(join(ROOT, 'examples', 'orders-db.galera.yaml'), 'utf8');
    // Five members must fit on 2 CPUs when the scenarios scale up.
    const base = example.replace('  staging:\n    size: small\n', '  staging:\n    size: small\n    cpu: 100m\n    memory: 1Gi\n');
    const specFile = join(dir, 'orders-db.galera.yaml');
    writeFileSync(specFile, base);
    const root = generateTree(specFile, join(dir, 'tree'));
    writeFileSync(join(root, 'envs', 'staging', 'local', 'kustomization.yaml'), LOCAL);
    const cluster = new GaleraPods(node, { overlay: join(root, 'envs', 'staging'), image, namespace: 'orders-staging', name: 'orders-db' });
    for (let i = 0; i < 3; i++) cluster.createVolume(i);
    const begin = Date.now();
    cluster.apply();
    await cluster.waitSynced(3, 10 * 60_000);
    const firstStartSeconds = Math.round((Date.now() - begin) / 1000);
    const writer = new GaleraWriter(cluster);
    await writer.start();
    const regenerate = (edit: (spec: string) => string): void => {
      writeFileSync(specFile, edit(base));
      generateTree(specFile, join(dir, 'tree'));
      cluster.apply();
    };
    return { node, cluster, writer, log: new ScenarioLog(cluster, writer), regenerate, firstStartSeconds };
  } catch (error) {
    await node.stop();
    throw error;
  }
}
