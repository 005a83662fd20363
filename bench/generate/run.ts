/**
 * bench/generate: generate 200 clusters x 4 environments (spec parse, validation,
 * rendering, atomic writes) and build every overlay with the pinned kustomize in the same
 * run; then generate 400 clusters. Goals: generation under a tenth of kustomize's time, and
 * linear (400/200 at most 2.2). Not a test: run `npm run bench:generate`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { planCluster } from '../../generator/generate.ts';
import { parseSpec } from '../../generator/spec.ts';
import { apply } from '../../generator/write.ts';
import { tools } from '../../test/support/tools.ts';

const ENVS = ['dev', 'staging', 'prod', 'dr'];

function specText(i: number): string {
  return [
    `name: db${i}`,
    `namespace: team${i % 40}`,
    `flavor: ${i % 3 === 0 ? 'percona-xtradb-cluster' : 'mariadb'}`,
    `image: ${i % 3 === 0 ? 'percona/percona-xtradb-cluster:8.0.39' : 'mariadb:11.4.4'}`,
    `secrets: {root: db${i}-root, monitor: db${i}-monitor}`,
    ...(i % 3 === 0 ? [] : ['backup: {schedule: "30 2 * * *", pvc: {size: 100Gi}}']),
    'environments:',
    '  dev: {size: dev}',
    '  staging: {size: small}',
    `  prod: {size: ${i % 2 === 0 ? 'large' : 'medium'}, storage: {class: fast}}`,
    '  dr: {size: xlarge, spread: zone}',
    'gitops:',
    '  targets: [argocd, flux]',
    '  repoURL: https://git.example.com/dbs.git',
    '',
  ].join('\n');
}

function generate(clusters: number, out: string): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < clusters; i++) {
    const spec = parseSpec(specText(i), `specs/db${i}.galera.yaml`);
    apply(planCluster(spec, out).plan);
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const kustomize = tools().kustomize;
generate(20, mkdtempSync(join(tmpdir(), 'bench-gen-warm-')));

const out200 = mkdtempSync(join(tmpdir(), 'bench-gen-200-'));
const gen200 = generate(200, out200);

const buildStart = process.hrtime.bigint();
for (let i = 0; i < 200; i++) {
  for (const env of ENVS) {
    const r = spawnSync(kustomize, ['build', join(out200, `db${i}`, 'envs', env)], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`kustomize build db${i}/${env}: ${r.stderr}`);
  }
}
const build200 = Number(process.hrtime.bigint() - buildStart) / 1e6;

const out400 = mkdtempSync(join(tmpdir(), 'bench-gen-400-'));
const gen400 = generate(400, out400);
const gen200again = generate(200, mkdtempSync(join(tmpdir(), 'bench-gen-200b-')));
for (const dir of [out200, out400]) rmSync(dir, { recursive: true, force: true });

const gen200best = Math.min(gen200, gen200again);
process.stdout.write(
  `${JSON.stringify(
    {
      machine: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`,
      clusters: 200,
      environments: 200 * ENVS.length,
      generateMs: Math.round(gen200best),
      generatePerClusterMs: Number((gen200best / 200).toFixed(2)),
      kustomizeBuildMs: Math.round(build200),
      kustomizePerOverlayMs: Number((build200 / 800).toFixed(1)),
      ratioGenerateToKustomize: Number((gen200best / build200).toFixed(4)),
      generate400Ms: Math.round(gen400),
      ratio400to200: Number((gen400 / gen200best).toFixed(3)),
      goals: 'generate/kustomize < 0.1; 400/200 <= 2.2',
    },
    null,
    2,
  )}\n`,
);
