/**
 * The two servers of bench/webhook, each started pinned to the server core with the Node
 * options the chart gives the image (`nodeOptions` in values.yaml, read from there so the
 * benchmark follows the chart): the real webhook (`galera-gitops serve --no-in-cluster`, the
 * built CLI, JSON logging at info and Prometheus metrics on) and the bare node:https server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { pinned, SERVER_CPU } from '../support/cpu.ts';

const ROOT = join(import.meta.dirname, '..', '..');

export interface Server {
  child: ChildProcess;
  pid: number;
  port: number;
}

/** The chart's NODE_OPTIONS for the webhook's container. */
export function chartNodeOptions(): string {
  const values = parse(readFileSync(join(ROOT, 'charts', 'galera-gitops-webhook', 'values.yaml'), 'utf8')) as { nodeOptions?: unknown };
  if (typeof values.nodeOptions !== 'string') throw new Error('charts/galera-gitops-webhook/values.yaml has no nodeOptions');
  return values.nodeOptions;
}

/**
 * BENCH_NODE_ARGS: Node flags for both servers alike on their command line, to try one
 * before the image takes it (V8 flags such as --single-threaded-gc are refused in NODE_OPTIONS).
 */
export function benchNodeArgs(): string[] {
  return (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
}

async function started(child: ChildProcess, text: string, port: number): Promise<Server> {
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer): void => {
      seen += d.toString();
      if (!seen.includes(text)) return;
      child.stdout?.off('data', onData);
      // From here on what the server writes (the webhook's JSON logs) is read and dropped,
      // as a container runtime would read it: the logs are still produced and paid for.
      child.stdout?.resume();
      resolve();
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      reject(new Error(`exited with ${String(code)} before printing "${text}"`));
    });
  });
  if (child.pid === undefined) throw new Error('no pid');
  return { child, pid: child.pid, port };
}

/** `nodeArgs`: Node flags for this server alone (bench/webhook/profile.ts' --cpu-prof). */
function start(args: readonly string[], nodeArgs: readonly string[]): ChildProcess {
  const [command, argv] = pinned(SERVER_CPU, process.execPath, [...benchNodeArgs(), ...nodeArgs, ...args]);
  return spawn(command, argv, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: chartNodeOptions() } });
}

export function startWebhook(port: number, cert: string, key: string, nodeArgs: readonly string[] = []): Promise<Server> {
  const child = start([join(ROOT, 'dist', 'cli', 'main.js'), 'serve', '--no-in-cluster', '--port', String(port), '--host', '127.0.0.1', '--tls-cert', cert, '--tls-key', key], nodeArgs);
  return started(child, 'serving admission reviews over TLS', port);
}

/** The bare server; with a mode, one of decompose.ts' in-between servers (bare-server.ts). */
export function startBare(port: number, cert: string, key: string, mode: 'bare' | 'loaded' | 'quiet' | 'handler' | 'spin' = 'bare', nodeArgs: readonly string[] = []): Promise<Server> {
  const child = start([join(import.meta.dirname, 'bare-server.ts'), String(port), cert, key, mode], nodeArgs);
  return started(child, 'listening', port);
}

export async function stop(server: Server): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}
