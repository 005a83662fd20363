/** The whole tree of one cluster: path (relative to overlays/<cluster>/) to file content. */
import type { ClusterSpec } from '../spec-types.ts';
import { renderBase } from './base.ts';
import { renderComponents } from './components.ts';
import { localScaffold, renderEnvironment } from './envs.ts';
import { renderGitOps } from './gitops.ts';

export interface RenderedTree {
  /** Files the generator owns: rewritten on every run, removed when no longer rendered. */
  generated: Map<string, string>;
  /** Files written only when missing, then owned by the team. */
  scaffolds: Map<string, string>;
}

export function renderTree(spec: ClusterSpec): RenderedTree {
  const generated = new Map<string, string>([...renderBase(spec), ...renderComponents(spec)]);
  for (const env of spec.environments) for (const [path, text] of renderEnvironment(spec, env)) generated.set(path, text);
  for (const [path, text] of renderGitOps(spec)) generated.set(path, text);
  return { generated, scaffolds: new Map(spec.environments.map(localScaffold)) };
}
