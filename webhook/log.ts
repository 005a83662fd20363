/**
 * JSON logs. A review's line carries its uid, kind, name, verdict, rules and duration;
 * never the object body and never Secret data (the webhook does not read Secrets, and
 * finding messages name env vars but never repeat their values).
 */
import { pino, type Logger } from 'pino';

export type { Logger };

/** Longest a written line waits in the batch before it reaches stdout. */
const FLUSH_MS = 1000;

export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination?: NodeJS.WritableStream): Logger {
  if (destination !== undefined) return pino({ level, base: { service: 'galera-gitops-webhook' } }, destination);
  // Asynchronous writes batched up to 4 KiB, so a log line does not cost a review its
  // latency budget, flushed at least every second so a quiet webhook's lines still appear.
  const stream = pino.destination({ sync: false, minLength: 4096 });
  setInterval(() => {
    stream.flush();
  }, FLUSH_MS).unref();
  return pino({ level, base: { service: 'galera-gitops-webhook' } }, stream);
}
