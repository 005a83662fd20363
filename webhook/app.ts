/**
 * The webhook's HTTP application (served over TLS by server.ts):
 *   POST /validate, POST /mutate   AdmissionReview admission.k8s.io/v1
 *   GET /healthz                   alive
 *   GET /readyz                    certificates loaded and caches synced
 *   GET /metrics                   Prometheus
 * Every well-formed review gets 200 with the request's uid; a malformed body 400 with a
 * JSON error, a body over 7 MiB 413, a wrong content type 415. Nothing a client sends can
 * crash the process or leave a request without an answer.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { reviewResponse, decodeReview, uidOf, type AdmissionRequest, type AdmissionResponse } from './admission.ts';
import type { ClusterCache } from './cache.ts';
import type { PolicyConfig } from './config.ts';
import { judge, modeFor, type Decision } from './judge.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { mutationFor } from './mutate.ts';

/**
 * The apiserver sends up to about 3 MiB per object and two objects on UPDATE; 7 MiB is the
 * cap controller-runtime uses. Anything larger is not a real review.
 */
export const BODY_LIMIT = 7 * 1024 * 1024;

export interface AppOptions {
  config: () => PolicyConfig;
  cache: ClusterCache;
  logger: Logger;
  metrics: Metrics;
  /** Certificates are loaded (the server sets this; tests may not serve TLS at all). */
  tlsReady?: () => boolean;
}

type Endpoint = 'validate' | 'mutate';

function mutate(request: AdmissionRequest, options: AppOptions): Decision {
  const config = options.config();
  const mode = modeFor(request, config, options.cache);
  const base: Decision = { response: { uid: request.uid, allowed: true }, verdict: 'allowed', findings: [], mode };
  const object = request.object;
  if (object === undefined || (request.operation !== 'CREATE' && request.operation !== 'UPDATE')) return base;
  if (config.exemptNamespaces.includes(request.namespace) || mode === 'off') return { ...base, verdict: 'exempt' };
  const { patch, reasons } = mutationFor(object, options.cache.view());
  if (patch.length === 0) return base;
  const response: AdmissionResponse = { uid: request.uid, allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') };
  return { ...base, response, note: reasons.join('; ') };
}

export function createApp(options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');

  const review = (endpoint: Endpoint) => (req: Request, res: Response): void => {
    const started = process.hrtime.bigint();
    options.metrics.inFlight.inc();
    try {
      const body: unknown = req.body;
      const request = decodeReview(body);
      if (typeof request === 'string') {
        res.status(400).json({ error: request, uid: uidOf(body) });
        return;
      }
      let decision: Decision;
      try {
        decision = endpoint === 'validate' ? judge(request, options.config(), options.cache) : mutate(request, options);
      } catch (error) {
        // A bug of ours must still produce an answer with the uid; the failure policy of
        // the webhook configuration then decides, as it would for a timeout.
        options.logger.error({ uid: request.uid, err: error instanceof Error ? error.message : String(error) }, 'review failed');
        res.status(500).json(reviewResponse({ uid: request.uid, allowed: false, status: { code: 500, reason: 'InternalError', message: 'galera-gitops could not judge this object (internal error; see the webhook logs)' } }));
        return;
      }
      res.status(200).json(reviewResponse(decision.response));
      record(options, endpoint, request, decision, Number(process.hrtime.bigint() - started) / 1e9);
    } finally {
      options.metrics.inFlight.dec();
    }
  };

  const requireJson = (req: Request, res: Response, next: NextFunction): void => {
    if (!req.is('application/json')) {
      res.status(415).json({ error: `content type ${req.get('content-type') ?? '(none)'} is not supported: send application/json` });
      return;
    }
    next();
  };
  const json = express.json({ limit: BODY_LIMIT, strict: false, type: () => true });
  app.post('/validate', requireJson, json, review('validate'));
  app.post('/mutate', requireJson, json, review('mutate'));
  app.get('/healthz', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const tls = options.tlsReady?.() ?? true;
    const synced = options.cache.synced();
    res.status(tls && synced ? 200 : 503).json({ tls, cacheSynced: synced });
  });
  app.get('/metrics', (_req, res, next) => {
    options.metrics.registry.metrics().then((text) => {
      res.type(options.metrics.registry.contentType).send(text);
    }, next);
  });
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'not found' });
  });
  // Errors from body parsing (too large, not JSON, aborted) become JSON answers.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' ? error.status : 500;
    const type = typeof error === 'object' && error !== null && 'type' in error ? String(error.type) : '';
    const message = status === 413 ? `the body is larger than ${String(BODY_LIMIT)} bytes` : type === 'entity.parse.failed' ? 'the body is not valid JSON' : status < 500 ? 'the request could not be read' : 'internal error';
    if (!res.headersSent) res.status(status).json({ error: message });
  });
  return app;
}

function record(options: AppOptions, endpoint: Endpoint, request: AdmissionRequest, decision: Decision, seconds: number): void {
  const kind = request.kind.kind;
  options.metrics.latency.observe({ endpoint }, seconds);
  options.metrics.reviews.inc({ endpoint, operation: request.operation, kind, verdict: decision.verdict });
  for (const f of decision.findings) options.metrics.findings.inc({ rule: f.rule, severity: f.waived === undefined ? f.severity : 'waived', verdict: decision.verdict });
  const waived = decision.findings.filter((f) => f.waived !== undefined);
  options.logger.info(
    {
      uid: request.uid,
      endpoint,
      operation: request.operation,
      kind,
      namespace: request.namespace,
      name: request.name,
      subResource: request.subResource,
      dryRun: request.dryRun,
      user: request.username,
      verdict: decision.verdict,
      mode: decision.mode,
      rules: decision.findings.filter((f) => f.waived === undefined).map((f) => `${f.rule}:${f.severity}`),
      ...(waived.length > 0 ? { waived: waived.map((f) => ({ rule: f.rule, reason: f.waived })) } : {}),
      ...(decision.note === undefined ? {} : { note: decision.note }),
      durationMs: Math.round(seconds * 1e6) / 1e3,
    },
    'review',
  );
}
