/**
 * The container image, as far as it can be checked without a container engine (none runs
 * on these machines): every path the Dockerfile copies exists and passes .dockerignore,
 * and the production bundle (a clean install of production dependencies only, plus what
 * the build produces) starts and serves /healthz over TLS.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort } from './support/ports.ts';

const ROOT = join(import.meta.dirname, '..');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const copies = dockerfile
  .split('\n')
  .filter((l) => l.startsWith('COPY ') && !l.includes('--from='))
  .flatMap((l) => l.slice('COPY '.length).trim().split(/\s+/).slice(0, -1));

describe('the container image', { timeout: 300_000 }, () => {
  it('copies only files that exist, and .dockerignore lets them through', () => {
    assert.ok(copies.length >= 8);
    const allowed = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
    for (const path of copies) {
      assert.ok(existsSync(join(ROOT, path)), `${path} does not exist`);
      assert.ok(allowed.some((a) => path === a || path.startsWith(`${a}/`)), `${path} is excluded by .dockerignore`);
    }
    assert.match(dockerfile, /^FROM node:24-bookworm-slim AS runtime$/m);
    assert.match(dockerfile, /^USER 1000:1000$/m);
    assert.match(dockerfile, /^RUN npm ci --omit=dev --ignore-scripts/m);
  });

  it('the production bundle starts from production dependencies only and serves /healthz', async () => {
    const app = mkdtempSync(join(tmpdir(), 'image-'));
    for (const file of ['package.json', 'package-lock.json']) cpSync(join(ROOT, file), join(app, file));
    const install = spawnSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: app, encoding: 'utf8' });
    assert.equal(install.status, 0, install.stderr);
    assert.equal(existsSync(join(app, 'node_modules', 'typescript')), false, 'a dev dependency was installed');
    assert.equal(existsSync(join(app, 'node_modules', 'pino')), true);
    for (const path of ['dist', 'schemas', 'generator/scripts', 'examples']) cpSync(join(ROOT, path), join(app, path), { recursive: true });
    const port = await freePort();
    const child = spawn(process.execPath, [join(app, 'dist', 'cli', 'main.js'), 'serve', '--self-signed', '--no-in-cluster', '--port', String(port), '--host', '127.0.0.1'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      for (let i = 0; i < 100 && !output.includes('serving admission reviews over TLS'); i++) await new Promise((r) => setTimeout(r, 100));
      const ca = Buffer.from(/caBundle: (\S+)/.exec(output)?.[1] ?? '', 'base64').toString('utf8');
      const health = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/healthz', ca, servername: 'localhost' }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body });
          });
        });
        req.on('error', reject);
        req.end();
      });
      assert.deepEqual(health, { status: 200, body: '{"status":"ok"}' });
    } finally {
      child.kill('SIGTERM');
    }
  });
});
