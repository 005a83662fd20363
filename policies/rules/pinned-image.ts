import { str } from '../object.ts';
import { serverContainer } from '../server-container.ts';
import type { RawFinding, Rule, Subject } from '../types.ts';
import { WORKLOAD_KINDS, containersOf, podSpecOf } from '../workload.ts';
import { pinned, withServer } from '../cel.ts';

/**
 * Galera images name a version or a digest, the way the generator requires of its spec
 * (generator/spec.ts). `latest`, or no tag at all (which means latest), moves.
 */
export const pinnedImage: Rule = {
  id: 'pinned-image',
  severity: 'deny',
  title: 'Galera images are pinned to a version or a digest',
  why: 'An image without a tag, or tagged latest, is whatever the registry holds when a pod starts. Members restarted at different times then run different server versions, and a member that pulls a new major version may refuse (or be refused) the state transfer it needs to rejoin; an upgrade happens by accident instead of as a reviewed commit. A deny for the server container; a warning for the other containers (an exporter, an init step), which do not hold the data.',
  fix: 'Name a version tag (mariadb:11.4.4) or a digest (mariadb@sha256:...) for every container of the Galera pods.',
  kinds: WORKLOAD_KINDS,
  admission: {
    kinds: WORKLOAD_KINDS,
    validations: [{ path: 'image', expression: withServer((s) => `(!has(${s}.image) || ${pinned(`${s}.image`)})`) }],
    webhookOnly: 'unpinned images of the other containers are warnings',
  },
  check(subject: Subject): readonly RawFinding[] {
    if (!subject.galera.galera) return [];
    const pod = podSpecOf(subject.object);
    if (pod === undefined) return [];
    const server = serverContainer(pod);
    const findings: RawFinding[] = [];
    for (const { container, name, path } of containersOf(pod)) {
      const image = str(container.image);
      const repository = image === undefined ? undefined : unpinnedRepository(image);
      if (image === undefined || repository === undefined) continue;
      const found = `${path}.image is ${JSON.stringify(image)}${repository === image ? ' (no tag means latest)' : ''}`;
      const pin = `name a version (${repository}:<version>) or a digest (${repository}@sha256:<digest>)`;
      findings.push(
        path === server?.path
          ? { path: `${path}.image`, message: `${found}; the Galera server of each member is then whatever the registry holds when its pod starts, so members run different versions and one that pulls a new major version may not rejoin by state transfer: ${pin}` }
          : { path: `${path}.image`, severity: 'warn', message: `${found}; container ${JSON.stringify(name)} of every Galera member is then whatever the registry holds when its pod starts: ${pin}` },
      );
    }
    return findings;
  },
};

/** The repository of an image that is not pinned (no digest, and no tag or `latest`), else undefined. */
export function unpinnedRepository(image: string): string | undefined {
  if (image.includes('@')) return undefined;
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  if (colon <= slash) return image;
  return image.slice(colon + 1) === 'latest' ? image.slice(0, colon) : undefined;
}
