/**
 * Serving certificates. The files are watched and reloaded when they change (cert-manager
 * rotates them in place), without a restart: existing connections keep their session,
 * new ones get the new certificate. A half-written pair (key and certificate rotated one
 * after the other) is ignored until both match.
 */
import { createSecureContext } from 'node:tls';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { webcrypto } from 'node:crypto';

export interface KeyPair {
  cert: string;
  key: string;
}

export function readPair(certFile: string, keyFile: string): KeyPair {
  const pair = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  createSecureContext(pair); // throws when the key does not belong to the certificate
  return pair;
}

/** Calls `onChange` with every new valid pair; `stop()` ends the watch. */
export function watchPair(certFile: string, keyFile: string, current: KeyPair, onChange: (pair: KeyPair) => void, onError: (message: string) => void, intervalMs = 2000): () => void {
  let last = current;
  const check = (): void => {
    let next: KeyPair;
    try {
      next = readPair(certFile, keyFile);
    } catch (error) {
      onError(`certificate files are not a valid pair yet: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (next.cert === last.cert && next.key === last.key) return;
    last = next;
    onChange(next);
  };
  // stat polling, because Secret volumes swap a symlink rather than write the files.
  watchFile(certFile, { interval: intervalMs, persistent: false }, check);
  watchFile(keyFile, { interval: intervalMs, persistent: false }, check);
  return () => {
    unwatchFile(certFile, check);
    unwatchFile(keyFile, check);
  };
}

export interface GeneratedTls {
  caCert: string;
  cert: string;
  key: string;
  /** base64 of the CA certificate, for a webhook configuration's caBundle. */
  caBundle: string;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

function serial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1');
}

async function pemKey(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
}

/** A CA and a serving certificate for local development and tests (`serve --self-signed`). */
export async function generateTls(hosts: readonly string[], days = 365): Promise<GeneratedTls> {
  // Loaded on demand: @peculiar/x509 needs the reflect-metadata polyfill, and only
  // `serve --self-signed` and the tests create certificates.
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto);
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + days * 86_400_000);
  const caKeys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const caSerial = serial();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: caSerial,
    // A unique name: clients pick the CA to verify with by subject, and two generated CAs
    // (before and after a rotation) must not be mistaken for each other.
    name: `CN=galera-gitops webhook CA ${caSerial.slice(0, 12)}`,
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: ALGORITHM,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const names = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h }));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${hosts[0] ?? 'localhost'}`,
    issuer: ca.subject,
    notBefore,
    notAfter,
    signingKey: caKeys.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.SubjectAlternativeNameExtension(names),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    ],
  });
  const caCert = ca.toString('pem');
  return { caCert: `${caCert}\n`, cert: `${cert.toString('pem')}\n`, key: await pemKey(keys.privateKey), caBundle: Buffer.from(`${caCert}\n`).toString('base64') };
}
