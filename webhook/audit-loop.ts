/**
 * The webhook's periodic audit (policy file `auditIntervalSeconds`, off by default): the
 * same audit as `galera-gitops audit`, whose findings in namespaces in warn mode (the
 * namespace label, else the configured mode; exempt namespaces never) become Events on the
 * objects. Warn mode is where admission lets a problem in with only a warning, which Argo
 * CD and Flux drop; an Event is what their UIs and `kubectl describe` show. One audit runs
 * at a time; a failed one is logged and the next interval tries again.
 */
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import { recordEvents } from './audit/events.ts';
import { auditObjects } from './audit/judge.ts';
import { readCluster } from './audit/read.ts';
import { messageOf } from './audit/retry.ts';
import { labelsOf, nameOf } from '../policies/object.ts';
import type { PolicyConfig } from './config.ts';
import { MODE_LABEL } from './judge.ts';
import type { Logger } from './log.ts';

/** One audit: returns the number of findings and of Events recorded. */
export async function auditOnce(kc: KubeConfig, config: PolicyConfig, now: Date): Promise<{ findings: number; events: number }> {
  const objects = await readCluster(kc);
  const modes = new Map(objects.filter((o) => o.kind === 'Namespace').map((ns) => [nameOf(ns), labelsOf(ns)[MODE_LABEL]]));
  const warnMode = (namespace: string): boolean => {
    if (config.exemptNamespaces.includes(namespace)) return false;
    const label = modes.get(namespace);
    return (label === 'enforce' || label === 'warn' || label === 'off' ? label : config.mode) === 'warn';
  };
  const audit = auditObjects(objects, config.severity);
  const shown = audit.findings.filter(({ finding }) => finding.waived === undefined && warnMode(finding.object.namespace));
  return { findings: audit.findings.length, events: await recordEvents(kc, shown, now, hostname()) };
}

/** Starts the periodic audit (the first at once); returns how to stop it. */
export function startAuditLoop(kc: KubeConfig, config: PolicyConfig, logger: Logger): () => void {
  if (config.auditIntervalSeconds <= 0) return () => undefined;
  let running = false;
  const run = async (): Promise<void> => {
    if (running) return;
    running = true;
    const begin = Date.now();
    try {
      const done = await auditOnce(kc, config, new Date());
      logger.info({ ...done, ms: Date.now() - begin }, 'audit done');
    } catch (error) {
      logger.warn({ err: messageOf(error) }, 'audit failed; the next interval tries again');
    } finally {
      running = false;
    }
  };
  void run();
  const timer = setInterval(() => void run(), config.auditIntervalSeconds * 1000);
  timer.unref();
  return () => { clearInterval(timer); };
}
