/**
 * Reads `check`'s inputs without ever holding more than the budget allows: a file's size is
 * checked before it is read, and standard input (whose size is unknown) is read in chunks
 * and abandoned one byte past the cap.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { InputError } from './input-error.ts';
import type { InputBudget } from './limits.ts';

/** 64 KiB: the size of a Linux pipe's buffer, so one read usually empties it. */
const CHUNK = 64 * 1024;

/** Thrown by a reader that stopped because the input passed its cap. */
export class InputTooLarge extends Error {
  /** Bytes read before stopping: one more than the cap. */
  readonly bytes: number;

  constructor(bytes: number) {
    super(`input passed its size cap after ${bytes} bytes`);
    this.bytes = bytes;
  }
}

/** Whether an error carries the `code` Node gives system errors, e.g. EAGAIN. */
function hasCode(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}

/**
 * Reads from `fd` until the end of input, or throws InputTooLarge as soon as more than `cap`
 * bytes came. A non-blocking descriptor (standard input can be one) is waited on, not spun on.
 * @param sizeHint the size the input is expected to have (a file's), to read it in one go.
 */
export function readAtMost(fd: number, cap: number, sizeHint = 0): string {
  const chunks: Buffer[] = [];
  let bytes = 0;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(Math.max(CHUNK, sizeHint + 1), cap + 1 - bytes));
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (error) {
      if (hasCode(error, 'EAGAIN')) {
        Atomics.wait(pause, 0, 0, 10);
        continue;
      }
      if (hasCode(error, 'EOF')) break;
      throw error;
    }
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
    bytes += n;
    if (bytes > cap) throw new InputTooLarge(bytes);
  }
  return Buffer.concat(chunks, bytes).toString('utf8');
}

/** A file's text, refused before reading when its size is over the budget. */
export function readFileWithin(file: string, budget: InputBudget): string {
  const cannot = (error: unknown): InputError =>
    new InputError(`${file}: cannot be read (${error instanceof Error ? error.message : String(error)})`);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw cannot(error);
  }
  try {
    const size = fstatSync(fd).size;
    budget.admit(file, size, true);
    // Capped all the same: a file that grew after fstat must not slip past the budget.
    return readAtMost(fd, size, size);
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (error instanceof InputTooLarge) throw new InputError(`${file}: the file grew while it was being read`);
    throw cannot(error);
  } finally {
    closeSync(fd);
  }
}
