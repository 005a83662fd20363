/**
 * Running the real tools a harness needs: a command that fails throws with its own error
 * output, and a command that is not installed is installed from Debian's packages by
 * scripts/system-packages.sh (the tests are root on the machines they run on), or the
 * test fails saying how to get it. Never a skip.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './paths.ts';

export interface RunOptions {
  input?: string;
  timeout?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs a command to completion; returns its stdout, throws with its stderr on failure. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): string {
  const spawnOptions: SpawnSyncOptions = { encoding: 'utf8', maxBuffer: 1 << 28, timeout: options.timeout ?? 10 * 60_000, input: options.input, env: options.env, cwd: options.cwd };
  const result = spawnSync(command, args, spawnOptions);
  if (result.error !== undefined) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) {
    const stderr = String(result.stderr).slice(-4000);
    const stdout = String(result.stdout).slice(-2000);
    throw new Error(`${command} ${args.join(' ')} exited ${String(result.status ?? result.signal)}:\n${stderr}${stdout}`);
  }
  return String(result.stdout);
}

const onPath = (command: string): boolean => spawnSync('bash', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;

let installed = false;

/**
 * Makes sure every command is on PATH; `commands` maps a command to the Debian package
 * that has it. Missing ones are installed once per process by scripts/system-packages.sh.
 */
export function requireCommands(commands: Readonly<Record<string, string>>): void {
  let missing = Object.keys(commands).filter((c) => !onPath(c));
  if (missing.length === 0) return;
  if (!installed) {
    installed = true;
    const result = spawnSync('bash', [join(ROOT, 'scripts', 'system-packages.sh')], { encoding: 'utf8', timeout: 20 * 60_000 });
    missing = Object.keys(commands).filter((c) => !onPath(c));
    if (missing.length === 0) return;
    if (result.status !== 0) throw new Error(`scripts/system-packages.sh failed (exit ${String(result.status)}):\n${result.stderr}`);
  }
  throw new Error(`missing ${missing.map((c) => `${c} (Debian package ${commands[c] ?? '?'})`).join(', ')}: run scripts/system-packages.sh as root`);
}
