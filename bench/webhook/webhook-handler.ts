/**
 * The webhook's own request handler (createHandler) as `galera-gitops serve --no-in-cluster`
 * builds it, for bare-server.ts' decomposition modes: default policy, no cluster, metrics
 * on, JSON logs to stdout at info (or silent).
 */
import { StaticCache } from '../../webhook/cache.ts';
import { DEFAULT_CONFIG } from '../../webhook/config.ts';
import { createHandler, type Handler } from '../../webhook/handler.ts';
import { AdmissionLimits } from '../../webhook/limits.ts';
import { createLogger } from '../../webhook/log.ts';
import { createMetrics } from '../../webhook/metrics.ts';

export function webhookHandler(silent: boolean): Handler {
  return createHandler({ config: () => DEFAULT_CONFIG, cache: new StaticCache(), logger: createLogger(silent ? 'silent' : 'info'), metrics: createMetrics(), limits: new AdmissionLimits() });
}
