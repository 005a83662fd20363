/**
 * What every bench/webhook run starts with: h2load present, this process (the load
 * generator's parent) on the load core, and a certificate and key of its own in a temporary
 * folder (no key material is committed); `median` of its rounds.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTls } from '../../webhook/tls.ts';
import { LOAD_CPU, pin } from '../support/cpu.ts';
import { ensureH2load } from './load.ts';

export interface BenchSetup {
  dir: string;
  cert: string;
  key: string;
}

export async function benchSetup(name: string): Promise<BenchSetup> {
  ensureH2load();
  pin(process.pid, LOAD_CPU);
  const tls = await generateTls(['localhost', '127.0.0.1']);
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  const cert = join(dir, 'tls.crt');
  const key = join(dir, 'tls.key');
  writeFileSync(cert, tls.cert);
  writeFileSync(key, tls.key);
  return { dir, cert, key };
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
