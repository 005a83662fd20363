/**
 * Long-running processes a harness starts: each logs to `<dir>/<name>.log`, can be waited
 * on, and is stopped (TERM, then KILL after a bound) in the reverse order of its start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class Processes {
  private readonly started: { name: string; child: ChildProcess }[] = [];

  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  start(name: string, command: string, args: readonly string[], env?: NodeJS.ProcessEnv): ChildProcess {
    const log = openSync(join(this.dir, `${name}.log`), 'a');
    const child = spawn(command, args, { stdio: ['ignore', log, log], env: env ?? process.env });
    closeSync(log);
    child.on('error', () => undefined);
    this.started.push({ name, child });
    return child;
  }

  get(name: string): ChildProcess | undefined {
    return this.started.find((p) => p.name === name)?.child;
  }

  /** Throws with the log's tail when `name` has exited. */
  assertRunning(name: string): void {
    const child = this.get(name);
    if (child !== undefined && child.exitCode === null && child.signalCode === null) return;
    throw new Error(`${name} exited (${String(child?.exitCode ?? child?.signalCode)}):\n${this.logTail(name)}`);
  }

  logTail(name: string, chars = 3000): string {
    try {
      return readFileSync(join(this.dir, `${name}.log`), 'utf8').slice(-chars);
    } catch {
      return '';
    }
  }

  /** Stops one process: TERM, then KILL after `graceMs`. */
  async stop(name: string, graceMs = 5000): Promise<void> {
    const index = this.started.findIndex((p) => p.name === name);
    const entry = this.started[index];
    if (entry === undefined) return;
    this.started.splice(index, 1);
    await terminate(entry.child, graceMs);
  }

  /** SIGKILL to everything at once, for a harness whose data does not matter. */
  killAll(): void {
    for (const { child } of this.started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  /** Stops everything, last started first. */
  async stopAll(graceMs = 5000): Promise<void> {
    while (this.started.length > 0) {
      const last = this.started[this.started.length - 1];
      if (last === undefined) break;
      await this.stop(last.name, graceMs);
    }
  }
}

export async function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
