/**
 * The baseline for bench/webhook: a bare Node server on the same protocols as the webhook
 * (HTTP/2, which the apiserver's webhook client speaks, and HTTP/1.1 on one TLS port, the
 * protocol picked by ALPN) that reads the same bodies, parses them and answers "allowed",
 * with no rules, caps, metrics or logs: the least any Node webhook must spend per review.
 * run.ts starts it pinned to the server core, like the webhook.
 *
 * bench/webhook/decompose.ts also starts it with a MODE, to tell where the webhook's extra
 * cost per review is, still on Node's own secure server (without server.ts's TLS front):
 *   loaded   the bare handler in a process that has loaded everything the webhook loads;
 *   quiet    the webhook's own handler (limits, body read, rules, metrics), logger silent;
 *   handler  the same with the review's JSON log line to stdout;
 *   spin     the bare handler plus 30 µs of pure computation per review (no allocation,
 *            no I/O): what any 30 µs of work costs in this set-up, the yardstick for the rest.
 * Usage: bare-server.ts PORT CERT KEY [bare|loaded|quiet|handler|spin]
 */
import { readFileSync } from 'node:fs';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';

type Handler = (req: Http2ServerRequest, res: Http2ServerResponse) => void;

const bare: Handler = (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request: { uid: string } };
    const body = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true } });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
};

const SPIN_US = 30;

/** The bare handler, after SPIN_US of busy waiting once the body is in (the bare one is untouched). */
const spinning: Handler = (req, res) => {
  req.once('end', () => {
    for (const until = performance.now() + SPIN_US / 1000; performance.now() < until; );
  });
  bare(req, res);
};

const [port, cert, key, mode = 'bare'] = process.argv.slice(2);
if (!['bare', 'loaded', 'quiet', 'handler', 'spin'].includes(mode)) throw new Error('usage: bare-server.ts PORT CERT KEY [bare|loaded|quiet|handler|spin]');
let handler = mode === 'spin' ? spinning : bare;
if (mode !== 'bare' && mode !== 'spin') {
  // Only the other modes load the webhook's modules: the bare server stays bare.
  const webhook = (await import('./webhook-handler.ts')).webhookHandler(mode === 'quiet');
  if (mode !== 'loaded') handler = webhook;
}
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
