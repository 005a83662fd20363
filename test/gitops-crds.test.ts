/** The generated Argo CD and Flux objects against those projects' real, pinned CRD schemas. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { planAll } from '../generator/generate.ts';
import { apply } from '../generator/write.ts';
import { crdProblems, loadCrds } from './support/crd-validator.ts';
import { kustomizeBuild, tools } from './support/tools.ts';

const ROOT = join(import.meta.dirname, '..');

describe('Argo CD and Flux objects against the pinned CRDs', () => {
  const schemas = loadCrds([tools().argocdCrds, tools().fluxCrds]);
  const out = mkdtempSync(join(tmpdir(), 'gitops-'));
  for (const { plan } of planAll([join(ROOT, 'examples', 'orders-db.galera.yaml'), join(ROOT, 'test', 'fixtures', 'specs', 'matrix.galera.yaml')], out)) apply(plan);

  const objects = (dir: string): unknown[] => parseAllDocuments(kustomizeBuild(dir)).map((d) => d.toJS() as unknown);

  it('knows the CRDs it validates against', () => {
    for (const key of ['argoproj.io/v1alpha1 Application', 'argoproj.io/v1alpha1 ApplicationSet', 'kustomize.toolkit.fluxcd.io/v1 Kustomization', 'source.toolkit.fluxcd.io/v1 GitRepository']) {
      assert.ok(schemas.validators.has(key), key);
    }
  });

  it('every Argo CD Application is valid', () => {
    const apps = objects(join(out, 'orders-db', 'argocd'));
    assert.equal(apps.length, 3);
    for (const app of apps) assert.deepEqual(crdProblems(schemas, app), []);
  });

  it('every Flux GitRepository and Kustomization is valid', () => {
    for (const cluster of ['orders-db', 'inventory']) {
      const flux = objects(join(out, cluster, 'flux')).filter((o) => (o as { kind: string }).kind !== 'Namespace');
      assert.ok(flux.length >= 2);
      for (const obj of flux) assert.deepEqual(crdProblems(schemas, obj), []);
    }
  });

  it('rejects a broken object, so the validation is real', () => {
    const [app] = objects(join(out, 'orders-db', 'argocd')) as { spec: Record<string, unknown> }[];
    assert.ok(app);
    delete app.spec.destination;
    app.spec.syncPolicy = { retry: { limit: 'five' } };
    assert.deepEqual(crdProblems(schemas, app), ["argoproj.io/v1alpha1 Application /spec: must have required property 'destination'", 'argoproj.io/v1alpha1 Application /spec/syncPolicy/retry/limit: must be integer']);
    assert.deepEqual(crdProblems(schemas, { apiVersion: 'kustomize.toolkit.fluxcd.io/v1beta1', kind: 'Kustomization' }), ['no served CRD version for kustomize.toolkit.fluxcd.io/v1beta1 Kustomization']);
  });
});
