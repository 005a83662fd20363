/**
 * The set-up of the production-shape test: the bundled example's staging environment
 * (3 members, sized for a 2-CPU node) with encryption on and the certificate from a Secret
 * the team provides (`tls.secret`), here made by the test from a CA of its own with every
 * name a member or client uses; applied on a real node, Synced, and the row-counting
 * writer started.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planAll } from '../../generator/generate.ts';
import { tlsNames } from '../../generator/render/tls.ts';
import { apply as writePlan } from '../../generator/write.ts';
import { createCa, issueServing, type Pem } from '../../webhook/certificates.ts';
import { GaleraPods } from './galera-pods.ts';
import { GaleraWriter } from './galera-writer.ts';
import { mariadbImage } from './images.ts';
import { RealNode } from './node.ts';
import { ROOT } from './paths.ts';

export interface ProductionCluster {
  node: RealNode;
  cluster: GaleraPods;
  writer: GaleraWriter;
  ca: Pem;
  /** Every name the certificate holds (the client Service's and each member's). */
  names: string[];
  firstStartSeconds: number;
}

export const SECRET = 'orders-db-tls';

export async function startProductionCluster(): Promise<ProductionCluster> {
  const image = mariadbImage();
  const node = await RealNode.start();
  try {
    node.loadImage(image);
    const dir = mkdtempSync(join(tmpdir(), 'galera-production-'));
    const spec = readFileSync(join(ROOT, 'examples', 'orders-db.galera.yaml'), 'utf8')
      .replace('  staging:\n    size: small\n', '  staging:\n    size: small\n    cpu: 100m\n    memory: 1Gi\n    tls: true\n')
      .replace('\nenvironments:\n', `\ntls:\n  secret: ${SECRET}\n\nenvironments:\n`);
    const specFile = join(dir, 'orders-db.galera.yaml');
    writeFileSync(specFile, spec);
    const [planned] = planAll([specFile], join(dir, 'tree'));
    const env = planned?.spec.environments.find((e) => e.name === 'staging');
    if (planned === undefined || env === undefined) throw new Error('the spec lost its staging environment');
    writePlan(planned.plan);
    const names = tlsNames(planned.spec, env);
    const ca = await createCa(30);
    const leaf = await issueServing(ca, names, 30, undefined, true);
    const cluster = new GaleraPods(node, { overlay: join(dir, 'tree', 'orders-db', 'envs', 'staging'), image, namespace: env.namespace, name: 'orders-db' });
    for (let i = 0; i < 3; i++) cluster.createVolume(i);
    const begin = Date.now();
    cluster.apply();
    node.apply(JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: { name: SECRET, namespace: env.namespace },
      stringData: { 'ca.crt': ca.cert, 'tls.crt': leaf.cert, 'tls.key': leaf.key },
    }));
    await cluster.waitSynced(3, 10 * 60_000);
    const firstStartSeconds = Math.round((Date.now() - begin) / 1000);
    const writer = new GaleraWriter(cluster);
    await writer.start();
    return { node, cluster, writer, ca, names, firstStartSeconds };
  } catch (error) {
    await node.stop();
    throw error;
  }
}
