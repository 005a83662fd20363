/**
 * JSON logs. A review's line carries its uid, kind, name, verdict, rules and duration;
 * never the object body and never Secret data (the webhook does not read Secrets, and
 * finding messages name env vars but never repeat their values).
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };
export type LogDestination = ReturnType<typeof pino.destination>;

/** Longest a written line waits in the batch before it reaches stdout. */
const FLUSH_MS = 1000;

/**
 * Lines held while stdout does not take them (a stalled log pipeline: the container
 * runtime not reading, a full disk behind it), about 10,000 review lines. Past that, lines
 * are dropped and counted rather than held without bound or stalling reviews on a write.
 */
export const LOG_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * Where the webhook's lines go: file descriptor `fd` (stdout), written asynchronously in
 * batches of 4 KiB so a log line does not cost a review its latency budget, flushed at
 * least every second so a quiet webhook's lines still appear, and bounded: `onDrop` is
 * called for each line that did not fit.
 */
export function logDestination(onDrop: () => void, fd = 1): LogDestination {
  const stream = pino.destination({ dest: fd, sync: false, minLength: 4096, maxLength: LOG_BUFFER_BYTES, periodicFlush: FLUSH_MS });
  stream.on('drop', onDrop);
  return stream;
}

/** A logger at `level`; by default to stdout with dropped lines not counted (`serve` counts them). */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination: DestinationStream = logDestination(() => undefined)): Logger {
  return pino({ level, base: { service: 'galera-gitops-webhook' } }, destination);
}
