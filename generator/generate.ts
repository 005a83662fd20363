/** Generation of one or more specs into an output folder, shared by the CLI, tests and benchmark. */
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { immutableChanges } from './immutable.ts';
import { renderTree } from './render/tree.ts';
import { parseSpec, SpecError } from './spec.ts';
import type { ClusterSpec } from './spec-types.ts';
import { plan, type Plan } from './write.ts';

export interface ClusterPlan {
  spec: ClusterSpec;
  plan: Plan;
  warnings: string[];
}

export function readSpec(file: string): ClusterSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new SpecError([`${file}: cannot be read`]);
  }
  // Every header names the spec the same way however it was typed (./x, x, /abs/x).
  return parseSpec(text, relative(process.cwd(), resolve(file)).split('\\').join('/'));
}

export function planCluster(spec: ClusterSpec, outDir: string): ClusterPlan {
  const p = plan(join(outDir, spec.name), renderTree(spec));
  const warnings: string[] = [];
  if (spec.flavor === 'percona-xtradb-cluster') {
    warnings.push(`${spec.source}: flavor percona-xtradb-cluster has never run in galera-gitops's tests (no Percona server packages are reachable from where they run): its scripts follow PXC 8.0's documentation, but only the mariadb flavor is proven on real pods (docs/generator.md, Flavors)`);
  }
  for (const [path, before] of p.before) {
    const after = p.write.get(path);
    if (after === undefined) continue;
    const env = /^envs\/([^/]+)\//.exec(path)?.[1];
    const namespaces = spec.environments.filter((e) => env === undefined || e.name === env).map((e) => e.namespace);
    warnings.push(...immutableChanges(join(p.root, path), before, after, spec.name, namespaces));
  }
  return { spec, plan: p, warnings };
}

export function planAll(files: readonly string[], outDir: string): ClusterPlan[] {
  const specs: ClusterSpec[] = [];
  const problems: string[] = [];
  for (const file of files) {
    try {
      specs.push(readSpec(file));
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      problems.push(...error.problems);
    }
  }
  const byName = new Map<string, string>();
  for (const spec of specs) {
    const other = byName.get(spec.name);
    if (other !== undefined) problems.push(`${spec.source}: name: ${spec.name} is also the name of the cluster in ${other}; every cluster needs its own name`);
    byName.set(spec.name, spec.source);
  }
  if (problems.length > 0) throw new SpecError(problems);
  return specs.map((spec) => planCluster(spec, outDir));
}
