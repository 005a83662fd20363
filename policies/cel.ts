/**
 * CEL building blocks for the rules' admission-policy validations (types.ts `AdmissionCel`),
 * each the CEL twin of a TypeScript helper named beside it, sharing its patterns.
 */
import { PATTERNS } from './detect.ts';
import { mysqlFamily, re } from './match-conditions.ts';

/** workload.ts podSpecOf: the pod spec of a Pod, or of a workload's template. */
export const POD = "(object.kind == 'Pod' ? object.spec : object.spec.template.spec)";

/** `body` of the pod spec (Kubernetes' CEL has no cel.bind, so the spec is spelled out where used). */
export const withPod = (body: (ps: string) => string): string => body(POD);

/**
 * server-container.ts serverContainer, as a list of at most one: the first main container
 * of a MySQL-family image that is no tool, else the first MySQL-family one, else the first.
 */
const serverCandidates = (ps: string): string => {
  const main = `(has(${ps}.containers) ? ${ps}.containers : [])`;
  const tool = (c: string): string => `(has(${c}.image) && ${c}.image.matches(${re(PATTERNS.tool)}))`;
  return `(${main}.filter(c, ${mysqlFamily('c')} && !${tool('c')}) + ${main}.filter(c, ${mysqlFamily('c')}) + ${main})`;
};

/** `body` of the server container; true when the pod has no container. */
export const withServer = (body: (s: string) => string): string =>
  withPod((ps) => `(${serverCandidates(ps)}.size() == 0 || ${body(`${serverCandidates(ps)}[0]`)})`);

/** pinned-image.ts unpinnedRepository, negated: a digest, or a tag other than latest. */
export const pinned = (image: string): string =>
  `(${image}.contains('@') || (${image}.lastIndexOf(':') > ${image}.lastIndexOf('/') && ${image}.substring(${image}.lastIndexOf(':') + 1) != 'latest'))`;
