/** `galera-gitops serve`: the admission webhook. Every flag has an environment variable. */
import { Command, Option } from 'commander';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StaticCache, type ClusterCache } from '../webhook/cache.ts';
import { ConfigError, readConfig } from '../webhook/config.ts';
import { createLogger } from '../webhook/log.ts';
import { createMetrics } from '../webhook/metrics.ts';
import { DEFAULT_LIMITS } from '../webhook/limits.ts';
import { startServer } from '../webhook/server.ts';
import { generateTls } from '../webhook/tls.ts';
import { EXIT } from './check/command.ts';

interface ServeFlags {
  port: string;
  host?: string;
  tlsCert?: string;
  tlsKey?: string;
  config?: string;
  kubeconfig?: string;
  inCluster?: boolean;
  selfSigned?: boolean;
  selfSignedHosts: string;
  shutdownGrace: string;
  keepAliveTimeout: string;
  cacheStaleAfter: string;
  maxReviews: string;
  maxBodyBytes: string;
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('serve the validating and mutating admission webhook over HTTPS')
    .addOption(new Option('--port <port>', 'HTTPS port').env('GALERA_GITOPS_PORT').default('8443'))
    .addOption(new Option('--host <address>', 'address to listen on (default: all)').env('GALERA_GITOPS_HOST'))
    .addOption(new Option('--tls-cert <file>', 'serving certificate (PEM); reloaded when it changes').env('GALERA_GITOPS_TLS_CERT'))
    .addOption(new Option('--tls-key <file>', 'serving key (PEM); reloaded when it changes').env('GALERA_GITOPS_TLS_KEY'))
    .addOption(new Option('--config <file>', 'policy file: mode, severity per rule, exempt namespaces').env('GALERA_GITOPS_CONFIG'))
    .addOption(new Option('--kubeconfig <file>', 'cluster credentials for the caches (default: in-cluster credentials when running in a pod)').env('KUBECONFIG'))
    .addOption(new Option('--no-in-cluster', 'run without cluster credentials: judge single objects only'))
    .addOption(new Option('--self-signed', 'create a CA and serving certificate for local development and print the caBundle'))
    .addOption(new Option('--self-signed-hosts <names>', 'comma-separated names and IPs for --self-signed').default('localhost,127.0.0.1'))
    .addOption(new Option('--shutdown-grace <seconds>', 'how long SIGTERM waits for in-flight reviews before every connection is closed').env('GALERA_GITOPS_SHUTDOWN_GRACE').default('20'))
    .addOption(new Option('--keep-alive-timeout <seconds>', 'idle connections are kept this long; keep it above the apiserver client\'s 90 s').env('GALERA_GITOPS_KEEP_ALIVE_TIMEOUT').default('120'))
    .addOption(new Option('--cache-stale-after <seconds>', 'a broken watch older than this makes the cache stale (not ready; reviews see no related objects)').env('GALERA_GITOPS_CACHE_STALE_AFTER').default('30'))
    .addOption(new Option('--max-reviews <n>', 'admission reviews read or judged at once; more get 429 with Retry-After').env('GALERA_GITOPS_MAX_REVIEWS').default(String(DEFAULT_LIMITS.maxReviews)))
    .addOption(new Option('--max-body-bytes <n>', 'bytes of review bodies held at once; more get 429 with Retry-After').env('GALERA_GITOPS_MAX_BODY_BYTES').default(String(DEFAULT_LIMITS.maxBodyBytes)))
    .action(async (flags: ServeFlags) => {
      const logger = createLogger();
      let config;
      try {
        config = readConfig(flags.config);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        process.stderr.write(`galera-gitops serve: ${error.message}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      let certFile = flags.tlsCert;
      let keyFile = flags.tlsKey;
      if (flags.selfSigned === true) {
        const tls = await generateTls(flags.selfSignedHosts.split(',').map((h) => h.trim()).filter((h) => h !== ''));
        const dir = mkdtempSync(join(tmpdir(), 'galera-gitops-tls-'));
        certFile = join(dir, 'tls.crt');
        keyFile = join(dir, 'tls.key');
        writeFileSync(certFile, tls.cert);
        writeFileSync(keyFile, tls.key, { mode: 0o600 });
        writeFileSync(join(dir, 'ca.crt'), tls.caCert);
        process.stdout.write(`self-signed certificate for ${flags.selfSignedHosts} in ${dir}\ncaBundle: ${tls.caBundle}\n`);
      }
      if (certFile === undefined || keyFile === undefined) {
        process.stderr.write('galera-gitops serve: the webhook serves TLS only: give --tls-cert and --tls-key, or --self-signed for local development\n');
        process.exitCode = EXIT.usage;
        return;
      }
      let cache: ClusterCache;
      const kubeconfig = flags.kubeconfig !== undefined && flags.kubeconfig !== '' ? flags.kubeconfig : undefined;
      if (kubeconfig !== undefined || (flags.inCluster !== false && process.env.KUBERNETES_SERVICE_HOST !== undefined)) {
        // Loaded only when there are credentials: @kubernetes/client-node alone is ~85 MiB resident.
        const { InformerCache, loadKubeConfig } = await import('../webhook/informer-cache.ts');
        cache = new InformerCache(loadKubeConfig(kubeconfig), logger, Number(flags.cacheStaleAfter) * 1000);
      } else {
        logger.warn('no cluster credentials: only single objects are judged; a Scale of an unknown StatefulSet follows unknownParent');
        cache = new StaticCache();
      }
      const running = await startServer({
        port: Number(flags.port),
        ...(flags.host === undefined ? {} : { host: flags.host }),
        certFile,
        keyFile,
        config,
        cache,
        logger,
        metrics: createMetrics(),
        limits: { maxReviews: Number(flags.maxReviews), maxBodyBytes: Number(flags.maxBodyBytes) },
        timeouts: { keepAliveMs: Number(flags.keepAliveTimeout) * 1000 },
      });
      const stop = (signal: string): void => {
        logger.info({ signal }, 'stopping: finishing in-flight reviews');
        void running.close(Number(flags.shutdownGrace) * 1000).then(() => {
          logger.info('stopped');
          logger.flush();
          process.exit(0);
        });
      };
      process.once('SIGTERM', () => { stop('SIGTERM'); });
      process.once('SIGINT', () => { stop('SIGINT'); });
    });
}
