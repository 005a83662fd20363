/**
 * Which container of a Galera pod is the database server: the one whose readiness means a
 * Synced member and whose image version must match its peers'. The first main container
 * with a MySQL-family image that is no tool (an exporter, proxy or backup sidecar is not
 * the server), else the first listening on 3306 or with a MySQL-family image, else the
 * first main container.
 */
import { isTool, mysqlFamily } from './detect.ts';
import { str } from './object.ts';
import { mainContainersOf, type ContainerAt, type PodSpecAt } from './workload.ts';

export function serverContainer(pod: PodSpecAt): ContainerAt | undefined {
  const main = mainContainersOf(pod);
  return main.find((c) => mysqlFamily(c) && !isTool(str(c.container.image) ?? '')) ?? main.find(mysqlFamily) ?? main[0];
}
