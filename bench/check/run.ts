/**
 * bench/check: 10,000 objects checked end to end, against parsing the same input without
 * rules, measured in the same run. Goal: ratio (check / parse) at most 1.5, i.e. the rules
 * cost less than half of what parsing costs. Not a test: run `npm run bench:check`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkInputs } from '../../cli/check/run.ts';
import { loadInputs } from '../../cli/check/load.ts';
import { benchCorpus } from './corpus.ts';

const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

const dir = mkdtempSync(join(tmpdir(), 'bench-check-'));
const file = join(dir, 'bundle.yaml');
writeFileSync(file, benchCorpus(OBJECTS));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function time(fn: () => unknown): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

// Warm up both paths, then alternate them so drift in machine load hits both alike.
time(() => loadInputs([file], () => ''));
const warm = checkInputs([file], () => '');
const parse: number[] = [];
const check: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  parse.push(time(() => loadInputs([file], () => '')));
  check.push(time(() => checkInputs([file], () => '')));
}

const main = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
const cli: number[] = [];
for (let round = 0; round < 3; round++) {
  cli.push(time(() => spawnSync(process.execPath, [main, 'check', '--output', 'json', file], { encoding: 'utf8', maxBuffer: 1 << 28 })));
}

const p = median(parse);
const c = median(check);
const result = {
  machine: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`,
  objects: OBJECTS,
  findings: warm.findings.length,
  parseMs: Math.round(p),
  checkMs: Math.round(c),
  rulesMs: Math.round(c - p),
  ratio: Number((c / p).toFixed(3)),
  objectsPerSecond: Math.round(OBJECTS / (c / 1000)),
  cliEndToEndMs: Math.round(median(cli)),
  cliObjectsPerSecond: Math.round(OBJECTS / (median(cli) / 1000)),
  goal: 'ratio <= 1.5',
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
