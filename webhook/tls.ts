/**
 * Serving certificates. The files are watched and reloaded when they change (cert-manager
 * rotates them in place), without a restart: existing connections keep their session,
 * new ones get the new certificate. A half-written pair (key and certificate rotated one
 * after the other) is ignored until both match.
 */
import { createSecureContext } from 'node:tls';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createCa, issueServing } from './certificates.ts';

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

/** A CA and a serving certificate for local development and tests (`serve --self-signed`). */
export async function generateTls(hosts: readonly string[], days = 365): Promise<GeneratedTls> {
  const ca = await createCa(days);
  const serving = await issueServing(ca, hosts, days);
  return { caCert: ca.cert, cert: serving.cert, key: serving.key, caBundle: Buffer.from(ca.cert).toString('base64') };
}
