/**
 * The HTTPS server around the app: TLS only, certificates reloaded on rotation, request
 * timeouts below the apiserver's 10 s, and a graceful stop on SIGTERM (stop accepting,
 * finish in-flight reviews, exit within the grace period).
 */
import { createServer, type Server } from 'node:https';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import type { ClusterCache } from './cache.ts';
import type { PolicyConfig } from './config.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { readPair, watchPair, type KeyPair } from './tls.ts';

/** The apiserver gives a webhook 10 s by default; answer or give up before it does. */
export const REQUEST_TIMEOUT_MS = 9000;

export interface ServeOptions {
  port: number;
  host?: string;
  certFile: string;
  keyFile: string;
  config: PolicyConfig;
  cache: ClusterCache;
  logger: Logger;
  metrics: Metrics;
  /** How often to look at the certificate files. */
  reloadIntervalMs?: number;
}

export interface RunningServer {
  server: Server;
  port: number;
  /** Stops accepting, waits for in-flight reviews (at most graceMs), stops the cache. */
  close(graceMs?: number): Promise<void>;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  let pair: KeyPair = readPair(options.certFile, options.keyFile);
  const app = createApp({ config: () => options.config, cache: options.cache, logger: options.logger, metrics: options.metrics, tlsReady: () => true });
  const server = createServer({ cert: pair.cert, key: pair.key, minVersion: 'TLSv1.2' }, app);
  let closing = false;
  const open = new Set<ServerResponse>();
  // While stopping, every answer (also to a request already in flight) tells the client to
  // close its connection, so kept-alive connections drain instead of carrying new requests
  // to a server about to exit.
  server.prependListener('request', (_req, res) => {
    if (closing) res.setHeader('connection', 'close');
    open.add(res);
    res.once('close', () => open.delete(res));
  });
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS - 1000;
  const unwatch = watchPair(
    options.certFile,
    options.keyFile,
    pair,
    (next) => {
      pair = next;
      server.setSecureContext({ cert: next.cert, key: next.key });
      options.logger.info({ certFile: options.certFile }, 'serving certificate reloaded');
    },
    (message) => {
      options.logger.warn(message);
    },
    options.reloadIntervalMs,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  options.logger.info({ port }, 'serving admission reviews over TLS');
  options.logger.flush();
  return {
    server,
    port,
    close: (graceMs = 25_000) =>
      new Promise<void>((resolve) => {
        closing = true;
        for (const res of open) if (!res.headersSent) res.setHeader('connection', 'close');
        unwatch();
        options.cache.stop();
        const timer = setTimeout(() => {
          server.closeAllConnections();
        }, graceMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
