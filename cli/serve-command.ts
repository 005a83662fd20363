/** `galera-gitops serve`: the admission webhook. Every flag has an environment variable. */
import { Command, Option } from 'commander';
import { StaticCache, type ClusterCache } from '../webhook/cache.ts';
import { ConfigError, readConfig } from '../webhook/config.ts';
import { createLogger, logDestination } from '../webhook/log.ts';
import { createMetrics } from '../webhook/metrics.ts';
import { DEFAULT_LIMITS } from '../webhook/limits.ts';
import { startServer } from '../webhook/server.ts';
import { tuneV8ForServing } from '../webhook/v8-flags.ts';
import { servingTls, type TlsFlags } from './serve-tls.ts';
import { EXIT } from './check/command.ts';

interface ServeFlags extends TlsFlags {
  port: string;
  host?: string;
  config?: string;
  kubeconfig?: string;
  inCluster?: boolean;
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
    .addOption(new Option('--tls-secret <namespace/name>', 'manage the serving certificate in this Secret and put its CA in the webhook configurations (the chart\'s default)').env('GALERA_GITOPS_TLS_SECRET'))
    .addOption(new Option('--tls-hosts <names>', 'with --tls-secret: comma-separated DNS names of the webhook\'s Service').env('GALERA_GITOPS_TLS_HOSTS'))
    .addOption(new Option('--webhook-configuration <name>', 'with --tls-secret: the Validating and MutatingWebhookConfiguration to put the CA in').env('GALERA_GITOPS_WEBHOOK_CONFIGURATION'))
    .addOption(new Option('--tls-validity <seconds>', 'with --tls-secret: lifetime of the serving certificate').env('GALERA_GITOPS_TLS_VALIDITY').default(String(365 * 86_400)))
    .addOption(new Option('--tls-renew-before <seconds>', 'with --tls-secret: renew this long before expiry').env('GALERA_GITOPS_TLS_RENEW_BEFORE').default(String(30 * 86_400)))
    .addOption(new Option('--self-signed', 'create a CA and serving certificate for local development and print the caBundle'))
    .addOption(new Option('--self-signed-hosts <names>', 'comma-separated names and IPs for --self-signed').default('localhost,127.0.0.1'))
    .addOption(new Option('--shutdown-grace <seconds>', 'how long SIGTERM waits for in-flight reviews before every connection is closed').env('GALERA_GITOPS_SHUTDOWN_GRACE').default('20'))
    .addOption(new Option('--keep-alive-timeout <seconds>', 'idle connections are kept this long; keep it above the apiserver client\'s 90 s').env('GALERA_GITOPS_KEEP_ALIVE_TIMEOUT').default('120'))
    .addOption(new Option('--cache-stale-after <seconds>', 'a broken watch older than this makes the cache stale (not ready; reviews see no related objects)').env('GALERA_GITOPS_CACHE_STALE_AFTER').default('30'))
    .addOption(new Option('--max-reviews <n>', 'admission reviews read or judged at once; more get 429 with Retry-After').env('GALERA_GITOPS_MAX_REVIEWS').default(String(DEFAULT_LIMITS.maxReviews)))
    .addOption(new Option('--max-body-bytes <n>', 'bytes of review bodies held at once; more get 429 with Retry-After').env('GALERA_GITOPS_MAX_BODY_BYTES').default(String(DEFAULT_LIMITS.maxBodyBytes)))
    .action(async (flags: ServeFlags) => {
      tuneV8ForServing();
      const metrics = createMetrics();
      const logger = createLogger(undefined, logDestination(() => { metrics.logLinesDropped.inc(); }));
      let config;
      try {
        config = readConfig(flags.config);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        process.stderr.write(`galera-gitops serve: ${error.message}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      const kubeconfig = flags.kubeconfig !== undefined && flags.kubeconfig !== '' ? flags.kubeconfig : undefined;
      const connected = kubeconfig !== undefined || (flags.inCluster !== false && process.env.KUBERNETES_SERVICE_HOST !== undefined);
      // Loaded only when there are credentials: @kubernetes/client-node alone is ~85 MiB resident.
      const informers = connected ? await import('../webhook/informer-cache.ts') : undefined;
      const kc = informers?.loadKubeConfig(kubeconfig);
      const tls = await servingTls(flags, () => kc, logger);
      if (typeof tls === 'string') {
        process.stderr.write(`galera-gitops serve: ${tls}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      let cache: ClusterCache;
      let stopAudit = (): void => undefined;
      if (informers !== undefined && kc !== undefined) {
        cache = new informers.InformerCache(kc, logger, Number(flags.cacheStaleAfter) * 1000);
        if (config.auditIntervalSeconds > 0) stopAudit = (await import('../webhook/audit-loop.ts')).startAuditLoop(kc, config, logger);
      } else {
        if (config.auditIntervalSeconds > 0) logger.warn('no cluster credentials: the periodic audit (auditIntervalSeconds) does not run');
        logger.warn('no cluster credentials: only single objects are judged; a Scale of an unknown StatefulSet follows unknownParent');
        cache = new StaticCache();
      }
      const running = await startServer({
        port: Number(flags.port),
        ...(flags.host === undefined ? {} : { host: flags.host }),
        certFile: tls.certFile,
        keyFile: tls.keyFile,
        tlsReady: tls.ready,
        config,
        cache,
        logger,
        metrics,
        limits: { maxReviews: Number(flags.maxReviews), maxBodyBytes: Number(flags.maxBodyBytes) },
        timeouts: { keepAliveMs: Number(flags.keepAliveTimeout) * 1000 },
      });
      const stop = (signal: string): void => {
        logger.info({ signal }, 'stopping: finishing in-flight reviews');
        tls.stop();
        stopAudit();
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
