/**
 * Failures done to a generated cluster on the real node, the way they happen to users:
 * a server killed (SIGKILL from the host, a crash), a pod deleted, a member cut off from
 * the network (its pod's interface down), the whole cluster down at once, a volume lost.
 */
import type { GaleraPods } from './galera-pods.ts';
import { run } from './run.ts';

/** The host pid of member `ordinal`'s server (mariadbd), if it runs. */
function serverPid(cluster: GaleraPods, ordinal: number): number | undefined {
  const pod = cluster.pod(ordinal);
  if (pod === undefined) return undefined;
  return cluster.node.cgroups.processes(pod.uid).find((p) => p.comm === 'mariadbd')?.pid;
}

/** SIGKILL to the servers of `ordinals`: a crash (no clean shutdown, grastate.dat seqno -1). */
export function killServers(cluster: GaleraPods, ordinals: readonly number[]): void {
  for (const ordinal of ordinals) {
    const pid = serverPid(cluster, ordinal);
    if (pid === undefined) throw new Error(`${cluster.name}-${String(ordinal)} runs no server to kill`);
    process.kill(pid, 'SIGKILL');
  }
}

/** Any process of the pod: its network namespace is the pod's. */
export function podNetns(cluster: GaleraPods, ordinal: number): string {
  const pod = cluster.pod(ordinal);
  const pid = pod === undefined ? undefined : cluster.node.cgroups.processes(pod.uid)[0]?.pid;
  if (pid === undefined) throw new Error(`${cluster.name}-${String(ordinal)} has no process`);
  return `/proc/${String(pid)}/ns/net`;
}

/** Cuts member `ordinal` off the network (and back): its interface goes down inside its pod. */
export function cutOff(cluster: GaleraPods, ordinal: number): void {
  run('nsenter', [`--net=${podNetns(cluster, ordinal)}`, 'ip', 'link', 'set', 'eth0', 'down']);
}

export function reconnect(cluster: GaleraPods, ordinal: number): void {
  run('nsenter', [`--net=${podNetns(cluster, ordinal)}`, 'ip', 'link', 'set', 'eth0', 'up']);
}

/** Deletes pods; `force` removes them from the API at once (a node that is gone). */
export function deletePods(cluster: GaleraPods, ordinals: readonly number[], force = false): void {
  const names = ordinals.map((i) => `${cluster.name}-${String(i)}`);
  const r = cluster.node.kubectl(['delete', 'pod', ...names, '-n', cluster.namespace, '--wait=false', ...(force ? ['--grace-period=0', '--force'] : [])]);
  if (r.status !== 0) throw new Error(`kubectl delete pod ${names.join(' ')}: ${r.stderr}`);
}

/**
 * The whole cluster down: the StatefulSet is deleted without its pods (so nothing comes
 * back until `restore`), the servers of `crash` are SIGKILLed, and every pod is deleted.
 * The pods of members not in `crash` stop cleanly. Returns once no member process is left.
 */
export async function fullOutage(cluster: GaleraPods, crash: readonly number[]): Promise<void> {
  const r = cluster.node.kubectl(['delete', 'statefulset', cluster.name, '-n', cluster.namespace, '--cascade=orphan', '--ignore-not-found']);
  if (r.status !== 0) throw new Error(`kubectl delete statefulset: ${r.stderr}`);
  const pods = cluster.pods();
  killServers(cluster, crash.filter((i) => pods.some((p) => p.name === `${cluster.name}-${String(i)}`)));
  const uids = pods.map((p) => p.uid);
  deletePods(cluster, pods.map((p) => Number(p.name.slice(cluster.name.length + 1))), crash.length > 0);
  await cluster.node.waitFor('every member process to end', 180_000, () => cluster.pods().length === 0 && uids.every((uid) => cluster.node.cgroups.processes(uid).length === 0));
}

/** The cluster's manifests applied again (after `fullOutage`): OrderedReady starts member 0, then the next. */
export function restore(cluster: GaleraPods): void {
  cluster.apply();
}

/** Member `ordinal`'s server log (the container's output), for diagnostics and assertions. */
export function memberLog(cluster: GaleraPods, ordinal: number, previous = false): string {
  return cluster.node.kubectl(['logs', `${cluster.name}-${String(ordinal)}`, '-c', 'galera', '-n', cluster.namespace, ...(previous ? ['--previous'] : [])]).stdout;
}
