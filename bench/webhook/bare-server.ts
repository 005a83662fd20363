/**
 * The baseline for bench/webhook: a bare node:https server that reads the same bodies,
 * parses them and answers "allowed". Usage: bare-server.ts PORT CERT KEY
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const [port, cert, key] = process.argv.slice(2);
const server = createServer({ cert: readFileSync(cert ?? ''), key: readFileSync(key ?? '') }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request: { uid: string } };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true } }));
  });
});
server.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write('listening\n');
});
