import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from './input-error.ts';
import { formatLimit, InputBudget, parseSize } from './limits.ts';

describe('parseSize', () => {
  it('reads whole bytes and KiB, MiB, GiB in any case', () => {
    assert.equal(parseSize('1500'), 1500);
    assert.equal(parseSize('512KiB'), 512 * 1024);
    assert.equal(parseSize('64 MiB'), 64 * 1024 * 1024);
    assert.equal(parseSize('2gib'), 2 * 1024 ** 3);
  });

  it('refuses fractions, other units, zero and sizes past what a number holds exactly', () => {
    for (const text of ['1.5MiB', '64MB', '64M', '-1', '0', '', 'MiB', '99999999999999999999']) assert.equal(parseSize(text), undefined, text);
  });
});

describe('formatLimit', () => {
  it('writes whole units, and bytes otherwise', () => {
    assert.deepEqual([64 * 1024 * 1024, 1024, 3 * 1024 ** 3, 1500, 1].map(formatLimit), ['64 MiB', '1 KiB', '3 GiB', '1500 bytes', '1 byte']);
  });
});

describe('InputBudget', () => {
  const message = (fn: () => void): string => {
    try {
      fn();
    } catch (error) {
      assert.ok(error instanceof InputError);
      return error.message;
    }
    return assert.fail('no error');
  };

  it('refuses an input over the per-input cap, naming its size and the flag', () => {
    const budget = new InputBudget({ maxInputBytes: 1024, maxTotalBytes: 4096, maxDepth: 100 });
    assert.equal(budget.nextInputCap, 1024);
    budget.admit('a.yaml', 1024, true);
    assert.equal(
      message(() => { budget.admit('b.yaml', 5 * 1024 * 1024 + 1, true); }),
      'b.yaml: the file is 5242881 bytes (5.0 MiB), over the limit of 1 KiB per input; raise it with --max-input-size, e.g. --max-input-size 6MiB',
    );
    assert.equal(
      message(() => { budget.admit('<stdin>', 1025, false); }),
      '<stdin>: standard input is over the limit of 1 KiB per input (reading stopped after 1025 bytes); raise it with --max-input-size, e.g. --max-input-size 2KiB',
    );
  });

  it('refuses the input that takes the run over the total cap, and caps the next read by what is left', () => {
    const budget = new InputBudget({ maxInputBytes: 1024, maxTotalBytes: 1500, maxDepth: 100 });
    budget.admit('a.yaml', 1000, true);
    assert.equal(budget.nextInputCap, 500);
    assert.equal(
      message(() => { budget.admit('b.yaml', 600, true); }),
      "b.yaml: the file is 600 bytes, which brings this run's inputs to 1600 bytes, over the limit of 1500 bytes in all; raise it with --max-total-size, e.g. --max-total-size 2KiB",
    );
    assert.equal(
      message(() => { budget.admit('<stdin>', 501, false); }),
      "<stdin>: standard input brings this run's inputs over the limit of 1500 bytes in all (reading stopped after 501 bytes of it); raise it with --max-total-size, e.g. --max-total-size 3KiB",
    );
    budget.admit('c.yaml', 500, true);
    assert.equal(budget.nextInputCap, 0);
  });
});
