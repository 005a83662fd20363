/**
 * Where `serve` gets its serving certificate: files (cert-manager or any other issuer
 * writes them; reloaded on change), a Secret the webhook manages itself (the chart's
 * default: see webhook/self-tls.ts), or a throw-away CA for local development.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../webhook/log.ts';
import { generateTls } from '../webhook/tls.ts';

export interface TlsFlags {
  tlsCert?: string;
  tlsKey?: string;
  tlsSecret?: string;
  tlsHosts?: string;
  webhookConfiguration?: string;
  tlsValidity: string;
  tlsRenewBefore: string;
  selfSigned?: boolean;
  selfSignedHosts: string;
}

export interface ServingTls {
  certFile: string;
  keyFile: string;
  ready: () => boolean;
  stop: () => void;
}

const list = (text: string | undefined): string[] => (text ?? '').split(',').map((h) => h.trim()).filter((h) => h !== '');

/** The certificate to serve, or a message saying what is missing (exit 2). */
export async function servingTls(flags: TlsFlags, kc: () => KubeConfig | undefined, logger: Logger): Promise<ServingTls | string> {
  if (flags.tlsSecret !== undefined && flags.tlsSecret !== '') {
    const [namespace, secret] = flags.tlsSecret.split('/');
    const hosts = list(flags.tlsHosts);
    const configuration = flags.webhookConfiguration ?? '';
    if (namespace === undefined || secret === undefined || secret === '') return '--tls-secret must be <namespace>/<name>';
    if (hosts.length === 0 || configuration === '') return '--tls-secret needs --tls-hosts (the Service\'s DNS names) and --webhook-configuration (the configurations to put the CA in)';
    const config = kc();
    if (config === undefined) return '--tls-secret needs cluster credentials (in a pod, or --kubeconfig)';
    const renewBeforeMs = Number(flags.tlsRenewBefore) * 1000;
    const { startSelfTls } = await import('../webhook/self-tls.ts');
    const self = await startSelfTls(config, {
      namespace, secret, hosts, validating: configuration, mutating: configuration,
      validityMs: Number(flags.tlsValidity) * 1000, renewBeforeMs,
      dir: mkdtempSync(join(tmpdir(), 'galera-gitops-tls-')),
      // Often enough to renew well inside the window, at most once a minute.
      checkEveryMs: Math.min(60_000, renewBeforeMs / 4),
    }, logger);
    return { certFile: self.certFile, keyFile: self.keyFile, ready: () => self.ready(), stop: () => { self.stop(); } };
  }
  if (flags.selfSigned === true) {
    const tls = await generateTls(list(flags.selfSignedHosts));
    const dir = mkdtempSync(join(tmpdir(), 'galera-gitops-tls-'));
    writeFileSync(join(dir, 'tls.crt'), tls.cert);
    writeFileSync(join(dir, 'tls.key'), tls.key, { mode: 0o600 });
    writeFileSync(join(dir, 'ca.crt'), tls.caCert);
    process.stdout.write(`self-signed certificate for ${flags.selfSignedHosts} in ${dir}\ncaBundle: ${tls.caBundle}\n`);
    return { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), ready: () => true, stop: () => undefined };
  }
  if (flags.tlsCert === undefined || flags.tlsKey === undefined) return 'the webhook serves TLS only: give --tls-cert and --tls-key, or --self-signed for local development';
  return { certFile: flags.tlsCert, keyFile: flags.tlsKey, ready: () => true, stop: () => undefined };
}
