/**
 * Encryption of an environment: client connections (the server's ssl_* settings), Galera
 * replication (the provider's socket.ssl_*), and state transfers (mariabackup's [sst]
 * ssl-mode, which reuses the server's certificate; Percona XtraDB Cluster's
 * pxc-encrypt-cluster-traffic). The certificate names every member and the client Service,
 * and comes from a Secret the team provides or from cert-manager.
 */
import type { ClusterSpec, Environment } from '../spec-types.ts';
import { labels, peersService } from './names.ts';

export const TLS_DIR = '/etc/galera-gitops-tls';

export function tlsSecretName(spec: ClusterSpec): string {
  return spec.tls.kind === 'secret' ? spec.tls.secret : `${spec.name}-tls`;
}

/** Every name a client or a peer may use for a member. */
export function tlsNames(spec: ClusterSpec, env: Environment): string[] {
  const ns = env.namespace;
  const peers = peersService(spec);
  return [spec.name, `${spec.name}.${ns}.svc`, `${spec.name}.${ns}.svc.cluster.local`, `*.${peers}.${ns}.svc`, `*.${peers}.${ns}.svc.cluster.local`];
}

export interface TlsSettings {
  mysqld: string[];
  provider: string[];
  sst: string[];
}

export function tlsSettings(spec: ClusterSpec, env: Environment): TlsSettings {
  if (!env.tls) return { mysqld: [], provider: [], sst: [] };
  const files = { ca: `${TLS_DIR}/ca.crt`, cert: `${TLS_DIR}/tls.crt`, key: `${TLS_DIR}/tls.key` };
  const mysqld = [`ssl_ca=${files.ca}`, `ssl_cert=${files.cert}`, `ssl_key=${files.key}`];
  if (spec.flavor === 'percona-xtradb-cluster') {
    // PXC 8 encrypts replication and state transfers itself from the ssl_* files.
    return { mysqld: [...mysqld, 'pxc-encrypt-cluster-traffic=ON'], provider: [], sst: [] };
  }
  return {
    mysqld,
    provider: [`socket.ssl_ca=${files.ca}`, `socket.ssl_cert=${files.cert}`, `socket.ssl_key=${files.key}`],
    // MariaDB 10.6+ (MDEV-25359): the donor checks the joiner's certificate against the CA,
    // using the server's own ssl_* files.
    sst: ['ssl-mode=VERIFY_CA'],
  };
}

/** The pod template additions: the certificate Secret, mounted read-only for the server's group. */
export function tlsVolume(spec: ClusterSpec, env: Environment): { volumes: unknown[]; mounts: unknown[] } {
  if (!env.tls) return { volumes: [], mounts: [] };
  return {
    volumes: [{ name: 'tls', secret: { secretName: tlsSecretName(spec), defaultMode: 0o440 } }],
    mounts: [{ name: 'tls', mountPath: TLS_DIR, readOnly: true }],
  };
}

/** cert-manager objects of an environment, when the certificates come from it. */
export function certificateDocs(spec: ClusterSpec, env: Environment, annotations: Record<string, string>): unknown[] {
  if (!env.tls || spec.tls.kind === 'secret') return [];
  const meta = (name: string): Record<string, unknown> => ({ name, labels: labels(spec), annotations });
  const docs: unknown[] = [];
  let issuerRef = spec.tls.kind === 'issuer' ? { name: spec.tls.name, kind: spec.tls.issuerKind } : { name: `${spec.name}-ca`, kind: 'Issuer' };
  if (spec.tls.kind === 'self-signed') {
    // A CA of the environment's own, from a self-signed root: the members trust it, nothing else.
    docs.push(
      { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: meta(`${spec.name}-selfsigned`), spec: { selfSigned: {} } },
      { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: meta(`${spec.name}-ca`), spec: { isCA: true, commonName: `${spec.name} CA`, secretName: `${spec.name}-ca`, duration: '87600h', privateKey: { algorithm: 'ECDSA', size: 256 }, issuerRef: { name: `${spec.name}-selfsigned`, kind: 'Issuer' } } },
      { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: meta(`${spec.name}-ca`), spec: { ca: { secretName: `${spec.name}-ca` } } },
    );
    issuerRef = { name: `${spec.name}-ca`, kind: 'Issuer' };
  }
  docs.push({
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: meta(tlsSecretName(spec)),
    spec: {
      secretName: tlsSecretName(spec),
      commonName: `${spec.name}.${env.namespace}.svc`,
      dnsNames: tlsNames(spec, env),
      // A year, renewed 30 days ahead; members read the files at start, a rolling restart after
      // renewal (or the next one) picks it up.
      duration: '8760h',
      renewBefore: '720h',
      privateKey: { algorithm: 'ECDSA', size: 256 },
      usages: ['server auth', 'client auth'],
      issuerRef,
    },
  });
  return docs;
}
