/**
 * The webhook's request handler, for HTTP/1.1 and HTTP/2 alike (server.ts serves both):
 *   POST /validate, POST /mutate   AdmissionReview admission.k8s.io/v1
 *   GET /healthz                   alive
 *   GET /readyz                    certificates loaded, cache synced and fresh, not stopping
 *   GET /metrics                   Prometheus
 * The admission path is lean on purpose: no middleware chain, the body streamed in under
 * the review's cap and the process's budget (body.ts, limits.ts), one JSON.parse, the
 * decision, one JSON.stringify. Every well-formed review gets 200 with the request's uid; a
 * malformed body 400, a body over 7 MiB 413, a wrong content type 415, a review over a cap
 * 429 with Retry-After. Nothing a client sends can crash the process or leave a request
 * without an answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { decodeReview, reviewResponse, uidOf } from './admission.ts';
import { readBody } from './body.ts';
import type { ClusterCache } from './cache.ts';
import type { PolicyConfig } from './config.ts';
import { judge, type Decision } from './judge.ts';
import type { AdmissionLimits } from './limits.ts';
import type { Logger } from './log.ts';
import { endpointLabel, type Metrics } from './metrics.ts';
import { mutate } from './mutate.ts';
import { recordReview } from './record.ts';

export { BODY_LIMIT } from './body.ts';

export type Request = IncomingMessage | Http2ServerRequest;
export type Response = ServerResponse | Http2ServerResponse;
export type Handler = (req: Request, res: Response) => void;

export interface HandlerOptions {
  config: () => PolicyConfig;
  cache: ClusterCache;
  logger: Logger;
  metrics: Metrics;
  limits: AdmissionLimits;
  /** Certificates are loaded (the server sets this; tests may not serve TLS at all). */
  tlsReady?: () => boolean;
  /** The server is stopping: not ready, and answers ask clients to close their connection. */
  closing?: () => boolean;
}

type Endpoint = 'validate' | 'mutate';

function send(res: Response, status: number, body: string, contentType = 'application/json', extra: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const headers: Record<string, string | number> = { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...extra };
  (res as ServerResponse).writeHead(status, headers);
  res.end(body);
}

export function createHandler(options: HandlerOptions): Handler {
  const { metrics, limits } = options;

  const answer = (req: Request, res: Response, status: number, body: unknown, extra: Record<string, string> = {}): void => {
    metrics.responses.inc({ endpoint: endpointLabel(req.url ?? ''), code: String(status) });
    // HTTP/1.1 only: HTTP/2 ends a connection with GOAWAY (server.ts), not a header.
    const close: Record<string, string> = options.closing?.() === true && req.httpVersionMajor === 1 ? { connection: 'close' } : {};
    send(res, status, JSON.stringify(body), 'application/json', { ...close, ...extra });
  };

  const review = async (endpoint: Endpoint, req: Request, res: Response): Promise<void> => {
    const started = process.hrtime.bigint();
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type)) {
      answer(req, res, 415, { error: `content type ${type === '' ? '(none)' : type} is not supported: send application/json` });
      return;
    }
    if (!limits.startReview()) {
      metrics.rejected.inc({ reason: 'reviews' });
      answer(req, res, 429, { error: `the webhook is answering ${String(limits.settings.maxReviews)} reviews already; retry` }, { 'retry-after': '1' });
      return;
    }
    try {
      const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
      const read = await readBody(req, limits, declared);
      if (!read.ok) {
        if (read.status === 429) metrics.rejected.inc({ reason: 'bytes' });
        answer(req, res, read.status, { error: read.message }, read.status === 429 ? { 'retry-after': '1' } : {});
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(read.body.toString('utf8'));
      } catch {
        answer(req, res, 400, { error: 'the body is not valid JSON' });
        return;
      } finally {
        read.release();
      }
      const request = decodeReview(parsed);
      if (typeof request === 'string') {
        answer(req, res, 400, { error: request, uid: uidOf(parsed) });
        return;
      }
      let decision: Decision;
      try {
        decision = endpoint === 'validate' ? judge(request, options.config(), options.cache) : mutate(request, options.config(), options.cache);
      } catch (error) {
        // A bug of ours must still produce an answer with the uid; the failure policy of
        // the webhook configuration then decides, as it would for a timeout.
        options.logger.error({ uid: request.uid, err: error instanceof Error ? error.message : String(error) }, 'review failed');
        answer(req, res, 500, reviewResponse({ uid: request.uid, allowed: false, status: { code: 500, reason: 'InternalError', message: 'galera-gitops could not judge this object (internal error; see the webhook logs)' } }));
        return;
      }
      answer(req, res, 200, reviewResponse(decision.response));
      recordReview(options, endpoint, request, decision, Number(process.hrtime.bigint() - started) / 1e9);
    } finally {
      limits.endReview();
    }
  };

  return (req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (req.method === 'POST' && (path === '/validate' || path === '/mutate')) {
      review(path === '/validate' ? 'validate' : 'mutate', req, res).catch((error: unknown) => {
        options.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'review handler failed');
        answer(req, res, 500, { error: 'internal error' });
      });
      return;
    }
    if (req.method === 'GET' && path === '/healthz') {
      answer(req, res, 200, { status: 'ok' });
      return;
    }
    if (req.method === 'GET' && path === '/readyz') {
      const tls = options.tlsReady?.() ?? true;
      const synced = options.cache.synced();
      const fresh = !options.cache.stale();
      const stopping = options.closing?.() === true;
      answer(req, res, tls && synced && fresh && !stopping ? 200 : 503, { tls, cacheSynced: synced, cacheFresh: fresh, stopping });
      return;
    }
    if (req.method === 'GET' && path === '/metrics') {
      // Gauges of the moment are read when scraped, not kept up to date on every review.
      metrics.inFlight.set(limits.reviewsInFlight);
      metrics.bytesInFlight.set(limits.bytesInFlight);
      metrics.cacheStale.set(options.cache.stale() ? 1 : 0);
      for (const [kind, age] of Object.entries(options.cache.ages())) metrics.cacheAge.set({ kind }, age);
      metrics.registry.metrics().then(
        (text) => {
          metrics.responses.inc({ endpoint: 'metrics', code: '200' });
          send(res, 200, text, metrics.registry.contentType);
        },
        () => {
          answer(req, res, 500, { error: 'metrics could not be collected' });
        },
      );
      return;
    }
    // Drain what a client sent to an unknown path, then answer.
    req.resume();
    answer(req, res, 404, { error: 'not found' });
  };
}
