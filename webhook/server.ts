/**
 * The HTTPS server around the handler: TLS only, HTTP/2 and HTTP/1.1 on one port (the
 * apiserver's webhook client speaks HTTP/2), certificates reloaded on rotation, every
 * timeout enforced to the second, and a stop on SIGTERM that answers every review in flight
 * and then exits whatever connections are open. The layers are ours to control each one:
 * a TCP listener (plain HTTP answered 400, handshake deadline, connection count), TLS
 * (ALPN picks the protocol), then Node's HTTP/1.1 or HTTP/2 server fed the TLS socket.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { constants as h2, createServer as createHttp2Server, type ServerHttp2Session } from 'node:http2';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { ClusterCache } from './cache.ts';
import type { PolicyConfig } from './config.ts';
import { createHandler } from './handler.ts';
import { AdmissionLimits, type LimitSettings } from './limits.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { readPair, watchPair, type KeyPair } from './tls.ts';

export interface Timeouts {
  /** From accepting a connection to a finished TLS handshake. */
  handshakeMs: number;
  /** HTTP/1.1: to receive a request's headers. */
  headersMs: number;
  /** To receive a whole request; the apiserver gives a webhook 10 s by default. */
  requestMs: number;
  /**
   * How long an idle connection is kept. Longer than the apiserver's client keeps an idle
   * connection (Go's IdleConnTimeout, 90 s there): then the client always closes first and
   * never sends a review on a connection the server is closing (Node's default is 5 s, which
   * raced it: "failed calling webhook" on valid objects).
   */
  keepAliveMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { handshakeMs: 5000, headersMs: 5000, requestMs: 9000, keepAliveMs: 120_000 };

/** Connections at once: a client with more is refused at accept, before any TLS work. */
const MAX_CONNECTIONS = 1024;

export interface ServeOptions {
  port: number;
  host?: string;
  certFile: string;
  keyFile: string;
  config: PolicyConfig;
  cache: ClusterCache;
  logger: Logger;
  metrics: Metrics;
  limits?: LimitSettings;
  timeouts?: Partial<Timeouts>;
  /** How often to look at the certificate files. */
  reloadIntervalMs?: number;
  /** False until the apiserver trusts the certificate (self-managed TLS); readiness waits for it. */
  tlsReady?: () => boolean;
}

export interface RunningServer {
  port: number;
  /** Stops accepting, answers every review in flight (at most graceMs), closes every connection. */
  close(graceMs?: number): Promise<void>;
}

const PLAIN_HTTP_ANSWER = (() => {
  const body = JSON.stringify({ error: 'this port serves HTTPS only: the client sent plain HTTP' });
  return `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${String(Buffer.byteLength(body))}\r\nconnection: close\r\n\r\n${body}`;
})();

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const limits = new AdmissionLimits(options.limits);
  const { metrics, logger } = options;
  let context: SecureContext;
  const useCertificate = (pair: KeyPair): void => {
    context = createSecureContext({ cert: pair.cert, key: pair.key, minVersion: 'TLSv1.2' });
    metrics.certificateExpiry.set(Math.floor(Date.parse(new X509Certificate(pair.cert).validTo) / 1000));
  };
  useCertificate(readPair(options.certFile, options.keyFile));
  let closing = false;
  const handler = createHandler({ config: () => options.config, cache: options.cache, logger, metrics, limits, tlsReady: options.tlsReady ?? (() => true), closing: () => closing });

  // keepAliveTimeoutBuffer 0: Node would keep an idle socket 1 s past keepAliveTimeout.
  const http1: HttpServer = createHttpServer({ requestTimeout: timeouts.requestMs, headersTimeout: timeouts.headersMs, keepAliveTimeout: timeouts.keepAliveMs, keepAliveTimeoutBuffer: 0, connectionsCheckingInterval: 250 }, handler);
  // The HTTP/1.1 server never listens itself (it is handed TLS sockets), but its header,
  // request and keep-alive checks start on 'listening'.
  http1.emit('listening');
  const http2 = createHttp2Server({ settings: { maxConcurrentStreams: 100 } }, (req, res) => {
    // HTTP/2 has no request timeout of its own: a stream that has not been answered in
    // time gets 408 and is closed.
    const timer = setTimeout(() => {
      if (!res.headersSent) {
        metrics.responses.inc({ endpoint: 'other', code: '408' });
        res.writeHead(408, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'the request took too long to arrive' }));
      }
      req.stream.close(h2.NGHTTP2_CANCEL);
    }, timeouts.requestMs);
    res.once('close', () => {
      clearTimeout(timer);
    });
    handler(req, res);
  });
  const sessions = new Set<ServerHttp2Session>();
  http2.on('session', (session) => {
    session.on('error', () => undefined);
    sessions.add(session);
    session.setTimeout(timeouts.keepAliveMs, () => { session.close(); });
    session.once('close', () => sessions.delete(session));
    if (closing) session.close();
  });

  // Every accepted socket, to close them all when stopping.
  const sockets = new Set<Socket>();
  const front = createNetServer((raw) => {
    sockets.add(raw);
    raw.once('close', () => sockets.delete(raw));
    raw.on('error', () => raw.destroy());
    if (closing) {
      raw.destroy();
      return;
    }
    const deadline = setTimeout(() => raw.destroy(), timeouts.handshakeMs);
    raw.once('close', () => {
      clearTimeout(deadline);
    });
    raw.once('readable', () => {
      const first = raw.read(1) as Buffer | null;
      if (first === null) return;
      // A TLS connection starts with a handshake record (0x16); anything else is a client
      // speaking plain HTTP (or nothing we know) to the TLS port.
      if (first[0] !== 0x16) {
        metrics.responses.inc({ endpoint: 'other', code: '400' });
        raw.end(PLAIN_HTTP_ANSWER);
        return;
      }
      raw.unshift(first);
      const tls = new TLSSocket(raw, { isServer: true, secureContext: context, ALPNProtocols: ['h2', 'http/1.1'] });
      tls.on('error', () => raw.destroy());
      tls.once('secure', () => {
        clearTimeout(deadline);
        if (closing) {
          raw.destroy();
          return;
        }
        // What tls.Server does on a finished handshake; the HTTP/2 session waits for it.
        (tls as TLSSocket & { secureConnecting: boolean }).secureConnecting = false;
        if (tls.alpnProtocol === 'h2') http2.emit('connection', tls);
        else http1.emit('connection', tls);
      });
    });
  });
  front.maxConnections = MAX_CONNECTIONS;

  const unwatch = watchPair(
    options.certFile,
    options.keyFile,
    readPair(options.certFile, options.keyFile),
    (next) => {
      useCertificate(next);
      logger.info({ certFile: options.certFile }, 'serving certificate reloaded');
    },
    (message) => {
      logger.warn(message);
    },
    options.reloadIntervalMs,
  );
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(options.port, options.host, () => {
      front.off('error', reject);
      resolve();
    });
  });
  const port = (front.address() as AddressInfo).port;
  logger.info({ port, timeouts, limits: limits.settings }, 'serving admission reviews over TLS (HTTP/2 and HTTP/1.1)');
  logger.flush();

  return {
    port,
    close: async (graceMs = 20_000) => {
      closing = true;
      front.close();
      unwatch();
      options.cache.stop();
      // Idle HTTP/1.1 connections go now; busy ones get `connection: close` on their
      // answer. HTTP/2 sessions get GOAWAY: their open streams finish, no new ones start.
      http1.closeIdleConnections();
      for (const session of sessions) session.close();
      const until = Date.now() + graceMs;
      while (limits.reviewsInFlight > 0 && Date.now() < until) await sleep(20);
      // What is left holds no review: unfinished handshakes, slow headers, idle sessions.
      for (const socket of sockets) socket.destroy();
      http1.close();
      http2.close();
    },
  };
}
