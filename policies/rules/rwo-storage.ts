import { galeraStatefulSets } from '../detect.ts';
import { at, indexed, record, records, show, str, strings, type Json } from '../object.ts';
import type { RawFinding, Rule, Subject } from '../types.ts';
import { mainContainersOf, podSpecOf } from '../workload.ts';

/** Where MariaDB, Percona XtraDB Cluster and the bitnami images keep their data. */
const DATA_DIRS = ['/var/lib/mysql', '/bitnami/mariadb', '/bitnami/mariadb/data'];
const OWN_ACCESS = ['ReadWriteOnce', 'ReadWriteOncePod'];
const FIX_CLAIM = 'mount a volumeClaimTemplates entry with accessModes [ReadWriteOnce] at the data directory';

export const rwoStorage: Rule = {
  id: 'rwo-storage',
  severity: 'deny',
  title: 'Each member owns a ReadWriteOnce volume for its data',
  why: "Every member keeps its own copy of the data. The data directory must sit on a volumeClaimTemplates entry (one claim per ordinal, <template>-<sts>-<i>) with accessModes ReadWriteOnce or ReadWriteOncePod. emptyDir loses the data when the pod moves, hostPath ties it to one node, a shared claim or RWX/ROX volume lets members overwrite each other, and persistentVolumeClaimRetentionPolicy Delete throws a member's data away on scale-down. Pre-provisioned claims named <template>-<sts>-<i> must be RWO as well.",
  fix: 'Add a volumeClaimTemplates entry with accessModes [ReadWriteOnce], mount it at /var/lib/mysql, and keep persistentVolumeClaimRetentionPolicy at Retain.',
  kinds: ['StatefulSet', 'PersistentVolumeClaim'],
  webhookOnly: 'pre-provisioned claims named after the members are other objects, judged with the StatefulSet',
  check(subject: Subject): readonly RawFinding[] {
    if (subject.object.kind === 'PersistentVolumeClaim') return checkClaim(subject);
    if (subject.object.kind === 'StatefulSet' && subject.galera.galera) return checkStatefulSet(subject);
    return [];
  },
};

function accessModeProblem(claimSpec: unknown): string | undefined {
  const modes = strings(at(claimSpec, 'accessModes'));
  if (modes.length > 0 && modes.every((m) => OWN_ACCESS.includes(m))) return undefined;
  return `is ${modes.length === 0 ? 'not set' : show(modes)}`;
}

function checkStatefulSet(subject: Subject): RawFinding[] {
  const spec = record(subject.object.spec) ?? {};
  const templates = indexed(spec.volumeClaimTemplates);
  const findings: RawFinding[] = [...retentionFindings(spec)];
  const pod = podSpecOf(subject.object);
  const dataVolume = pod === undefined ? undefined : dataDirMount(pod.spec);
  if (dataVolume !== undefined && pod !== undefined) {
    const template = templates.find(([, t]) => str(at(t, 'metadata', 'name')) === dataVolume.volume);
    if (template !== undefined) return [...findings, ...templateFindings([template])];
    const volumeFinding = podVolumeFinding(pod.spec, pod.path, dataVolume);
    if (volumeFinding !== undefined) return [...findings, volumeFinding];
  }
  if (templates.length === 0) {
    findings.push({
      path: 'spec.volumeClaimTemplates',
      message: `spec.volumeClaimTemplates is not set; each Galera member needs its own persistent volume for its data directory, or it loses its data when the pod moves: ${FIX_CLAIM}`,
    });
    return findings;
  }
  return [...findings, ...templateFindings(templates)];
}

function templateFindings(templates: [number, Json][]): RawFinding[] {
  const findings: RawFinding[] = [];
  for (const [i, template] of templates) {
    const problem = accessModeProblem(template.spec);
    if (problem === undefined) continue;
    const path = `spec.volumeClaimTemplates[${i}].spec.accessModes`;
    findings.push({
      path,
      message: `${path} ${problem}; each Galera member must be the only writer of its data volume: use [ReadWriteOnce] (or [ReadWriteOncePod])`,
    });
  }
  return findings;
}

function retentionFindings(spec: Json): RawFinding[] {
  const findings: RawFinding[] = [];
  for (const when of ['whenDeleted', 'whenScaled'] as const) {
    if (str(at(spec, 'persistentVolumeClaimRetentionPolicy', when)) !== 'Delete') continue;
    const event = when === 'whenScaled' ? 'the StatefulSet scales down' : 'the StatefulSet is deleted';
    findings.push({
      path: `spec.persistentVolumeClaimRetentionPolicy.${when}`,
      message: `spec.persistentVolumeClaimRetentionPolicy.${when} is Delete; a member's data volume is deleted when ${event}, and with it the copy that lets it rejoin by incremental transfer: set it to Retain`,
    });
  }
  return findings;
}

interface DataMount {
  volume: string;
  mountPath: string;
  container: string;
}

function dataDirMount(podSpec: Json): DataMount | undefined {
  for (const { container, name } of mainContainersOf({ spec: podSpec, path: '' })) {
    const dirs = [...DATA_DIRS, ...datadirArgs(container)];
    for (const mount of records(container.volumeMounts)) {
      const mountPath = str(mount.mountPath)?.replace(/\/+$/, '') ?? '';
      const volume = str(mount.name);
      if (volume !== undefined && dirs.includes(mountPath)) return { volume, mountPath, container: name };
    }
  }
  return undefined;
}

function datadirArgs(container: Json): string[] {
  return [...strings(container.command), ...strings(container.args)]
    .map((arg) => /^--datadir=(.+)$/.exec(arg)?.[1]?.replace(/\/+$/, ''))
    .filter((dir) => dir !== undefined);
}

function podVolumeFinding(podSpec: Json, podPath: string, mount: DataMount): RawFinding | undefined {
  for (const [i, volume] of indexed(podSpec.volumes)) {
    if (str(volume.name) !== mount.volume) continue;
    const where = `the data directory ${mount.mountPath} of container ${JSON.stringify(mount.container)} is on`;
    const base = `${podPath}.volumes[${i}]`;
    if (volume.emptyDir !== undefined) {
      return { path: `${base}.emptyDir`, message: `${where} emptyDir volume ${JSON.stringify(mount.volume)}; its data is lost whenever the pod is deleted or moves: ${FIX_CLAIM} instead` };
    }
    if (volume.hostPath !== undefined) {
      return { path: `${base}.hostPath`, message: `${where} hostPath volume ${JSON.stringify(mount.volume)}; it ties the member to one node and is lost with it: ${FIX_CLAIM} instead` };
    }
    const claim = str(at(volume, 'persistentVolumeClaim', 'claimName'));
    if (claim !== undefined) {
      return { path: `${base}.persistentVolumeClaim.claimName`, message: `${where} PersistentVolumeClaim ${JSON.stringify(claim)}, one claim shared by every member; members would overwrite each other's data: ${FIX_CLAIM} instead` };
    }
  }
  return undefined;
}

function checkClaim(subject: Subject): RawFinding[] {
  const name = subject.ref.name;
  for (const { sts } of galeraStatefulSets(subject.related, subject.ref.namespace)) {
    const stsName = str(sts.metadata.name) ?? '';
    for (const template of records(at(sts, 'spec', 'volumeClaimTemplates'))) {
      const templateName = str(at(template, 'metadata', 'name')) ?? '';
      const prefix = `${templateName}-${stsName}-`;
      const ordinal = name.startsWith(prefix) ? name.slice(prefix.length) : '';
      if (!/^(0|[1-9]\d*)$/.test(ordinal)) continue;
      const problem = accessModeProblem(subject.object.spec);
      if (problem === undefined) return [];
      return [
        {
          path: 'spec.accessModes',
          message: `spec.accessModes ${problem}; this claim is the data volume of member ${ordinal} of Galera StatefulSet ${JSON.stringify(stsName)} and only that member may write to it: use [ReadWriteOnce] (or [ReadWriteOncePod])`,
          detection: `data volume ${JSON.stringify(templateName)} of Galera StatefulSet ${JSON.stringify(stsName)}, member ${ordinal}`,
        },
      ];
    }
  }
  return [];
}
