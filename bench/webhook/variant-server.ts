/**
 * The two in-between servers of bench/webhook/decompose.ts, on Node's own secure server
 * (`node:http2` with `allowHTTP1`, as bare-server.ts), to tell where the webhook's extra cost
 * per review is:
 *   loaded   the bare handler, in a process that has loaded and warmed everything the
 *            webhook loads (rules, pino, prom-client, the handler) and keeps it alive;
 *   handler  the webhook's own handler (createHandler: limits, body read, rules, metrics,
 *            the JSON log line to stdout), without server.ts's TLS front and timers;
 *   quiet    the same with the logger silent: what the review's log line costs.
 * Usage: variant-server.ts loaded|handler|quiet PORT CERT KEY
 */
import { readFileSync } from 'node:fs';
import { createSecureServer } from 'node:http2';
import { StaticCache } from '../../webhook/cache.ts';
import { DEFAULT_CONFIG } from '../../webhook/config.ts';
import { createHandler } from '../../webhook/handler.ts';
import { AdmissionLimits } from '../../webhook/limits.ts';
import { createLogger } from '../../webhook/log.ts';
import { createMetrics } from '../../webhook/metrics.ts';
import { bareHandler } from './bare-handler.ts';

const [mode, port, cert, key] = process.argv.slice(2);
const logger = createLogger(mode === 'quiet' ? 'silent' : 'info');
const webhook = createHandler({ config: () => DEFAULT_CONFIG, cache: new StaticCache(), logger, metrics: createMetrics(), limits: new AdmissionLimits() });

if (mode !== 'loaded' && mode !== 'handler' && mode !== 'quiet') throw new Error('usage: variant-server.ts loaded|handler|quiet PORT CERT KEY');
const handler = mode === 'loaded' ? bareHandler : webhook;
const server = createSecureServer({ cert: readFileSync(cert ?? ''), key: readFileSync(key ?? ''), allowHTTP1: true }, (req, res) => {
  handler(req, res);
});
server.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write('listening\n');
});
process.once('SIGTERM', () => {
  server.close();
  process.exit(0);
});
