/**
 * The baseline for bench/webhook: a bare Node server on the same protocols as the webhook
 * (HTTP/2, which the apiserver's webhook client speaks, and HTTP/1.1 on one TLS port, the
 * protocol picked by ALPN) that reads the same bodies, parses them and answers "allowed",
 * with no rules, caps, metrics or logs: the least any Node webhook must spend per review.
 * run.ts starts it pinned to the server core, like the webhook. Usage: bare-server.ts PORT CERT KEY
 */
import { readFileSync } from 'node:fs';
import { createSecureServer } from 'node:http2';
import { bareHandler } from './bare-handler.ts';

const [port, cert, key] = process.argv.slice(2);
const server = createSecureServer({ cert: readFileSync(cert ?? ''), key: readFileSync(key ?? ''), allowHTTP1: true }, bareHandler);
server.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write('listening\n');
});
process.once('SIGTERM', () => {
  server.close();
  process.exit(0);
});
