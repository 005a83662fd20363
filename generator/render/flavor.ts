/** What differs between MariaDB Galera Cluster and Percona XtraDB Cluster. */
import type { Flavor } from '../spec-types.ts';

export interface FlavorFacts {
  /** The Galera provider library inside the image. */
  provider: string;
  /** State snapshot transfer: the hot-backup tool of the flavor. */
  sstMethod: string;
  /** The image's mysql user (files in the data volume belong to it). */
  uid: number;
  /** Settings galera.cnf adds for the flavor. */
  settings: readonly string[];
}

export const FLAVORS: Readonly<Record<Flavor, FlavorFacts>> = {
  // Official mariadb image (Ubuntu): galera-4 package, mysql uid 999; mariabackup ships in it.
  mariadb: { provider: '/usr/lib/galera/libgalera_smm.so', sstMethod: 'mariabackup', uid: 999, settings: [] },
  // percona/percona-xtradb-cluster 8 (Oracle Linux): galera4 in lib64, mysql uid 1001; PXC 8 supports xtrabackup-v2 only.
  'percona-xtradb-cluster': { provider: '/usr/lib64/galera4/libgalera_smm.so', sstMethod: 'xtrabackup-v2', uid: 1001,
    // start.sh and the probes log in through the socket as the server's OS user (auth_socket).
    settings: ['plugin-load-add=auth_socket.so'] },
};
