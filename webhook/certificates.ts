/**
 * Certificates the webhook makes itself: a CA (kept, so that renewing the serving
 * certificate does not change what the apiserver trusts) and serving certificates it
 * signs. ECDSA P-256; PEM in and out.
 */
import { webcrypto, X509Certificate } from 'node:crypto';

export interface Pem {
  cert: string;
  key: string;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

async function x509(): Promise<typeof import('@peculiar/x509')> {
  // Loaded on demand: @peculiar/x509 needs the reflect-metadata polyfill, and only the
  // self-managed mode, `serve --self-signed` and the tests create certificates.
  await import('reflect-metadata');
  const lib = await import('@peculiar/x509');
  lib.cryptoProvider.set(webcrypto);
  return lib;
}

function serial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1');
}

async function pemKey(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
}

function importKey(pem: string): Promise<webcrypto.CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, true, ['sign']);
}

export async function createCa(days: number): Promise<Pem> {
  const lib = await x509();
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const number = serial();
  const cert = await lib.X509CertificateGenerator.createSelfSigned({
    serialNumber: number,
    // A unique name: clients pick the CA to verify with by subject, and two generated CAs
    // (before and after a rotation) must not be mistaken for each other.
    name: `CN=galera-gitops webhook CA ${number.slice(0, 12)}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + days * DAY_MS),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [new lib.BasicConstraintsExtension(true, 0, true), new lib.KeyUsagesExtension(lib.KeyUsageFlags.keyCertSign | lib.KeyUsageFlags.cRLSign, true)],
  });
  return { cert: `${cert.toString('pem')}\n`, key: await pemKey(keys.privateKey) };
}

/** A serving certificate for `hosts` (DNS names and IPs), signed by `ca`, valid for `ms`. */
/** A leaf certificate for `hosts`; `clientAuth` also lets it authenticate as a client (peers that dial each other, like Galera members). */
export async function issueServing(ca: Pem, hosts: readonly string[], days: number, ms = days * DAY_MS, clientAuth = false): Promise<Pem> {
  const lib = await x509();
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const issuer = new lib.X509Certificate(ca.cert);
  const names = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h }));
  const cert = await lib.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${hosts[0] ?? 'localhost'}`,
    issuer: issuer.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + ms),
    signingKey: await importKey(ca.key),
    publicKey: keys.publicKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new lib.SubjectAlternativeNameExtension(names),
      new lib.ExtendedKeyUsageExtension(clientAuth ? [lib.ExtendedKeyUsage.serverAuth, lib.ExtendedKeyUsage.clientAuth] : [lib.ExtendedKeyUsage.serverAuth]),
      new lib.KeyUsagesExtension(lib.KeyUsageFlags.digitalSignature | lib.KeyUsageFlags.keyEncipherment, true),
    ],
  });
  return { cert: `${cert.toString('pem')}\n`, key: await pemKey(keys.privateKey) };
}

/** When a PEM certificate stops being valid (ms since the epoch), or 0 if it cannot be read. */
export function expiryOf(pem: string): number {
  try {
    return Date.parse(new X509Certificate(pem).validTo);
  } catch {
    return 0;
  }
}

/** Whether `cert` was signed by `ca` and names every host (a stored pair still fits). */
export function issuedFor(cert: string, ca: string, hosts: readonly string[]): boolean {
  try {
    const leaf = new X509Certificate(cert);
    if (!leaf.verify(new X509Certificate(ca).publicKey)) return false;
    const names = leaf.subjectAltName ?? '';
    return hosts.every((h) => names.includes(`DNS:${h}`) || names.includes(`IP Address:${h}`));
  } catch {
    return false;
  }
}
