/** Names derived from the spec, in one place (never random, never from the clock). */
import type { ClusterSpec } from '../spec-types.ts';

export const CONTAINER = 'galera';
export const DATA_CLAIM = 'data';
export const DATA_DIR = '/var/lib/mysql';
export const CONFIG_DIR = '/etc/galera-gitops';
export const RUNTIME_DIR = '/run/galera-gitops';

/** Every port the server and start.sh use; the election port serves start.sh's report during a full-cluster recovery. */
export const PORTS = [
  { name: 'mysql', port: 3306 },
  { name: 'election', port: 3307 },
  { name: 'sst', port: 4444 },
  { name: 'galera', port: 4567 },
  { name: 'ist', port: 4568 },
];

/** mysqld_exporter's port, beside each member. */
export const METRICS_PORT = 9104;

export const peersService = (spec: ClusterSpec): string => `${spec.name}-peers`;
export const configMap = (spec: ClusterSpec): string => `${spec.name}-config`;
export const clusterConfigMap = (spec: ClusterSpec): string => `${spec.name}-cluster`;

export function labels(spec: ClusterSpec): Record<string, string> {
  return { 'app.kubernetes.io/name': 'galera', 'app.kubernetes.io/part-of': spec.name, 'galera-gitops.io/cluster': spec.name };
}

/** The selector: stable for the life of the StatefulSet (selectors cannot change in place). */
export function selector(spec: ClusterSpec): Record<string, string> {
  return { 'galera-gitops.io/cluster': spec.name };
}
