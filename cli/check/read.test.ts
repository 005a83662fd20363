import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InputError } from './input-error.ts';
import { InputBudget } from './limits.ts';
import { InputTooLarge, readAtMost, readFileWithin } from './read.ts';

const dir = mkdtempSync(join(tmpdir(), 'read-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('readAtMost', () => {
  it('reads to the end within the cap, in chunks, UTF-8 across chunk edges', () => {
    const text = 'é'.repeat(100_000);
    const fd = openSync(file('utf8.yaml', text), 'r');
    try {
      assert.equal(readAtMost(fd, 200_000), text);
    } finally {
      closeSync(fd);
    }
  });

  it('stops one byte past the cap', () => {
    const fd = openSync(file('long.yaml', 'x'.repeat(200_000)), 'r');
    try {
      assert.throws(() => readAtMost(fd, 100_000), (e: unknown) => e instanceof InputTooLarge && e.bytes === 100_001);
    } finally {
      closeSync(fd);
    }
  });
});

describe('readFileWithin', () => {
  it('refuses a file over the cap from its size, and reads one within it', () => {
    const budget = new InputBudget({ maxInputBytes: 10, maxTotalBytes: 100, maxDepth: 100 });
    const big = file('big.yaml', 'x'.repeat(11));
    assert.throws(() => readFileWithin(big, budget), (e: unknown) => e instanceof InputError && e.message.startsWith(`${big}: the file is 11 bytes, over the limit of 10 bytes per input;`));
    assert.equal(readFileWithin(file('small.yaml', 'a: 1\n'), budget), 'a: 1\n');
  });

  it('names a file it cannot read', () => {
    const budget = new InputBudget({ maxInputBytes: 10, maxTotalBytes: 100, maxDepth: 100 });
    assert.throws(() => readFileWithin(join(dir, 'missing.yaml'), budget), (e: unknown) => e instanceof InputError && e.message.startsWith(`${join(dir, 'missing.yaml')}: cannot be read (ENOENT`));
  });
});
