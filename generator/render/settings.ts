/**
 * settings.cnf of each environment: the server settings that follow from its size (memory,
 * CPU, storage), Galera's provider options, then the spec's own `mysqld` settings, which
 * win. start.sh includes it after galera.cnf; its hash on the pod template rolls the members
 * when it changes. Every number is argued in docs/generator.md (Sizing).
 */
import type { ClusterSpec, Environment } from '../spec-types.ts';
import { bytes, millicores } from './quantity.ts';
import { tlsSettings } from './tls.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

const mib = (n: number): string => `${String(Math.round(n / MiB))}M`;
/** Down to a multiple of 128 MiB: InnoDB sizes its buffer pool in chunks of 128 MiB. */
const chunks = (n: number): number => Math.max(128 * MiB, Math.floor(n / (128 * MiB)) * 128 * MiB);
const clamp = (n: number, low: number, high: number): number => Math.min(high, Math.max(low, n));

export interface Sizing {
  bufferPool: number;
  redoLog: number;
  maxConnections: number;
  gcache: number;
  applierThreads: number;
}

/**
 * - Buffer pool: half the memory limit up to 2 GiB, 60% above (MariaDB suggests 70-80% on a
 *   dedicated server; a container also holds connection buffers, the state-transfer tools
 *   and the Galera write-set cache's dirty pages inside the same limit).
 * - Redo log: a quarter of the buffer pool, at most 2 GiB (MariaDB's rule of thumb; a larger
 *   log only lengthens crash recovery).
 * - Connections: 100 per GiB of memory (a connection's buffers take 1 to 10 MiB under load),
 *   from 100 to 2000.
 * - gcache: 5% of the data volume, from 256 MiB to 16 GiB: what a member that was away can
 *   catch up on by incremental transfer (IST) instead of a full copy (SST).
 * - Applier threads: two per CPU of the request (Codership's advice), from 1 to 16.
 */
export function sizing(env: Environment): Sizing {
  const memory = bytes(env.memory);
  const bufferPool = chunks(memory * (memory <= 2 * GiB ? 0.5 : 0.6));
  return {
    bufferPool,
    redoLog: clamp(Math.floor(bufferPool / 4 / MiB) * MiB, 64 * MiB, 2 * GiB),
    maxConnections: clamp(Math.round((memory / GiB) * 100), 100, 2000),
    gcache: clamp(Math.floor((bytes(env.storage.size) * 0.05) / MiB) * MiB, 256 * MiB, 16 * GiB),
    applierThreads: clamp(Math.round((millicores(env.cpu) / 1000) * 2), 1, 16),
  };
}

export function settingsCnf(spec: ClusterSpec, env: Environment): string {
  const s = sizing(env);
  const tls = tlsSettings(spec, env);
  const provider = [
    // Full-cluster recovery is start.sh's election (docs/recovery.md); Galera's automatic
    // restore of the last primary view would race it.
    'pc.recovery=FALSE',
    `gcache.size=${mib(s.gcache)}`,
    // Keeps the write-set cache across a restart, so a member that crashed can still be
    // caught up by IST, or serve as an IST donor.
    'gcache.recover=yes',
    ...tls.provider,
  ];
  return [
    `# Settings of ${spec.name} in ${env.name}: size ${env.size} (${env.cpu} CPU, ${env.memory} memory, ${env.storage.size} per member).`,
    '[mysqld]',
    `innodb_buffer_pool_size=${mib(s.bufferPool)}`,
    `innodb_log_file_size=${mib(s.redoLog)}`,
    `max_connections=${String(s.maxConnections)}`,
    `wsrep_slave_threads=${String(s.applierThreads)}`,
    `wsrep_provider_options="${provider.join(';')}"`,
    ...(tls.mysqld.length === 0 ? [] : ['# Encryption (tls): clients, replication and state transfers.', ...tls.mysqld]),
    ...(spec.mysqld.length === 0 ? [] : ['# From the spec (mysqld): these win.', ...spec.mysqld.map(([k, v]) => `${k}=${v}`)]),
    ...(tls.sst.length === 0 ? [] : ['[sst]', ...tls.sst]),
    '',
  ].join('\n');
}
