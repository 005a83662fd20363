/**
 * The webhook's log destination when stdout stalls (the container runtime not reading its
 * pipe): reviews go on without waiting for a write, at most LOG_BUFFER_BYTES of lines are
 * held, every other line is dropped and counted, and every held line arrives once the pipe
 * is read again; a single line is not kept waiting for a batch. A real FIFO.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger, LOG_BUFFER_BYTES, logDestination, type LogDestination } from '../webhook/log.ts';
import { createMetrics } from '../webhook/metrics.ts';

const LINES = 20_000;
/** Each line is about 530 bytes: 20,000 of them are 2.5 times the buffer. */
const PAD = 'x'.repeat(440);

/** Reads what is in the FIFO now without waiting; '' when it is empty. */
function readAvailable(fd: number): string {
  const chunk = Buffer.alloc(65_536);
  let text = '';
  for (;;) {
    try {
      const n = readSync(fd, chunk);
      if (n === 0) return text;
      text += chunk.toString('utf8', 0, n);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return text;
      throw error;
    }
  }
}

/**
 * A log destination writing into a real FIFO that nobody reads until the test reads
 * `readFd` (non-blocking); everything is closed and removed after `run`.
 */
async function withFifoDestination(onDrop: () => void, run: (destination: LogDestination, readFd: number) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gg-log-'));
  const fifo = join(dir, 'stdout');
  execFileSync('mkfifo', [fifo]);
  // Read and write: the FIFO has a reader (this fd), which never reads.
  const writeFd = openSync(fifo, 'r+');
  const readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const destination = logDestination(onDrop, writeFd);
  try {
    await run(destination, readFd);
  } finally {
    destination.destroy();
    closeSync(readFd);
    rmSync(dir, { recursive: true, force: true });
  }
}

test('stdout stalled: the logger holds at most 4 MiB of lines, drops and counts the rest, and delivers every held line later', async () => {
  const metrics = createMetrics(false);
  await withFifoDestination(
    () => {
      metrics.logLinesDropped.inc();
    },
    async (destination, readFd) => {
      const logger = createLogger('info', destination);
      const started = performance.now();
      for (let i = 0; i < LINES; i++) logger.info({ uid: `review-${String(i).padStart(5, '0')}`, pad: PAD }, 'review');
      // Nothing waited for the pipe: 20,000 lines in well under the apiserver's timeout.
      assert.ok(performance.now() - started < 5000, `logging took ${String(performance.now() - started)} ms`);
      const dropped = (await metrics.logLinesDropped.get()).values[0]?.value ?? 0;
      const held = LINES - dropped;
      const lineBytes = 1 + JSON.stringify({ level: 30, time: Date.now(), service: 'galera-gitops-webhook', uid: 'review-00000', pad: PAD, msg: 'review' }).length;
      // The pipe's 64 KiB, one write in flight, and the buffer: no more.
      assert.ok(held * lineBytes <= LOG_BUFFER_BYTES + 64 * 1024 + 16 * 1024, `${String(held)} lines held`);
      assert.ok(held * lineBytes >= LOG_BUFFER_BYTES - lineBytes, `${String(held)} lines held`);
      assert.match(await metrics.registry.metrics(), new RegExp(`^galera_gitops_log_lines_dropped_total ${String(dropped)}$`, 'm'));

      // The pipe is read again: every held line arrives, in order, and nothing else (the
      // last ones, under a batch, with the next flush: within a second).
      let text = '';
      const deadline = performance.now() + 10_000;
      while (text.split('\n').length - 1 < held && performance.now() < deadline) {
        text += readAvailable(readFd);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await new Promise((resolve) => setTimeout(resolve, 1100));
      text += readAvailable(readFd);
      const uids = text.trimEnd().split('\n').map((line) => (JSON.parse(line) as { uid: string }).uid);
      assert.equal(uids.length, held);
      assert.equal(uids[0], 'review-00000');
      assert.equal(uids.at(-1), `review-${String(held - 1).padStart(5, '0')}`);
    },
  );
});

test('a quiet webhook: a single line, far from a full batch, reaches stdout within about a second', async () => {
  await withFifoDestination(
    () => undefined,
    async (destination, readFd) => {
      createLogger('info', destination).info({ uid: 'only-one' }, 'review');
      const started = performance.now();
      let text = '';
      while (!text.includes('\n') && performance.now() - started < 3000) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        text += readAvailable(readFd);
      }
      assert.equal((JSON.parse(text) as { uid: string }).uid, 'only-one');
      assert.ok(performance.now() - started < 1500, `the line took ${String(performance.now() - started)} ms`);
    },
  );
});
