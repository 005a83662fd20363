/**
 * The baseline's handler: read the body, parse it, answer "allowed" with the uid; no rules,
 * caps, metrics or logs. The least any Node webhook must spend per review.
 */
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';

export function bareHandler(req: Http2ServerRequest, res: Http2ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request: { uid: string } };
    const body = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true } });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}
