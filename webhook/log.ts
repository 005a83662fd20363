/**
 * JSON logs. A review's line carries its uid, kind, name, verdict, rules and duration;
 * never the object body and never Secret data (the webhook does not read Secrets, and
 * finding messages name env vars but never repeat their values).
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination?: NodeJS.WritableStream): Logger {
  // Asynchronous writes: a log line must not cost a review its latency budget.
  return pino({ level, base: { service: 'galera-gitops-webhook' } }, destination ?? pino.destination({ sync: false }));
}
