/**
 * The webhook's own serving certificate (the chart's default TLS mode): nothing is made at
 * render time, so the chart renders identically every time and Argo CD or Flux can sync it
 * (Helm's `lookup` does not run under `helm template`, argo-cd #5202). Gatekeeper's
 * cert-controller and Kyverno work this way.
 *
 * Every replica, every minute: read the Secret the chart created empty; if it holds no
 * valid pair for the Service's names, or the serving certificate is within `renewBefore`
 * of expiry, issue one (from the stored CA while it has years left, else from a new CA)
 * and write the Secret with its resourceVersion, so two replicas never both win; then make
 * sure both webhook configurations trust the CA (the caBundle, repaired if a sync reset it)
 * and serve the pair from files the server reloads. RBAC: get/update of that one Secret and
 * of those two configurations, by name.
 */
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { AdmissionregistrationV1Api, CoreV1Api, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { createCa, expiryOf, issueServing, issuedFor, type Pem } from './certificates.ts';
import type { Logger } from './log.ts';

const DAY_MS = 86_400_000;
/** The CA outlives many serving certificates; it is replaced only within a year of expiry. */
const CA_DAYS = 3650;
const CA_RENEW_MS = 365 * DAY_MS;

export interface SelfTlsOptions {
  namespace: string;
  secret: string;
  /** DNS names the serving certificate carries (the Service's). */
  hosts: string[];
  validating: string;
  mutating: string;
  /** Serving certificate lifetime and how long before expiry it is renewed. */
  validityMs: number;
  renewBeforeMs: number;
  /** Where the pair is written for the server (a memory-backed folder in the pod). */
  dir: string;
  checkEveryMs: number;
}

export interface SelfTls {
  certFile: string;
  keyFile: string;
  /** True once the configurations trust the CA: only then can the apiserver call us. */
  ready(): boolean;
  stop(): void;
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');
const unb64 = (text: string | undefined): string => Buffer.from(text ?? '', 'base64').toString('utf8');
const conflict = (error: unknown): boolean => typeof error === 'object' && error !== null && 'code' in error && error.code === 409;

export async function startSelfTls(kc: KubeConfig, options: SelfTlsOptions, logger: Logger): Promise<SelfTls> {
  const core = kc.makeApiClient(CoreV1Api);
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  mkdirSync(options.dir, { recursive: true });
  const certFile = join(options.dir, 'tls.crt');
  const keyFile = join(options.dir, 'tls.key');
  let injected = false;
  let served = '';

  const serve = (pair: Pem): void => {
    if (pair.cert === served) return;
    // Key first, then certificate, each renamed into place: the server's reload only takes
    // a pair that matches.
    writeFileSync(`${keyFile}.new`, pair.key, { mode: 0o600 });
    renameSync(`${keyFile}.new`, keyFile);
    writeFileSync(`${certFile}.new`, pair.cert);
    renameSync(`${certFile}.new`, certFile);
    served = pair.cert;
  };

  /** The pair and CA to use, from the Secret, renewing (and storing) them when due. */
  const settle = async (): Promise<{ pair: Pem; ca: string }> => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const secret: V1Secret = await core.readNamespacedSecret({ name: options.secret, namespace: options.namespace });
      const data = secret.data ?? {};
      const ca: Pem = { cert: unb64(data['ca.crt']), key: unb64(data['ca.key']) };
      const pair: Pem = { cert: unb64(data['tls.crt']), key: unb64(data['tls.key']) };
      const now = Date.now();
      const caFresh = expiryOf(ca.cert) - now > CA_RENEW_MS && ca.key !== '';
      const pairFresh = caFresh && expiryOf(pair.cert) - now > options.renewBeforeMs && issuedFor(pair.cert, ca.cert, options.hosts);
      if (pairFresh) return { pair, ca: ca.cert };
      const nextCa = caFresh ? ca : await createCa(CA_DAYS);
      const next = await issueServing(nextCa, options.hosts, 0, options.validityMs);
      // The read object, with its resourceVersion: a replica that renewed first makes this fail.
      secret.data = { ...data, 'ca.crt': b64(nextCa.cert), 'ca.key': b64(nextCa.key), 'tls.crt': b64(next.cert), 'tls.key': b64(next.key) };
      try {
        await core.replaceNamespacedSecret({ name: options.secret, namespace: options.namespace, body: secret });
        logger.info({ secret: `${options.namespace}/${options.secret}`, newCa: !caFresh, expires: new Date(expiryOf(next.cert)).toISOString() }, 'serving certificate issued');
        return { pair: next, ca: nextCa.cert };
      } catch (error) {
        // Another replica renewed first: use what it stored.
        if (!conflict(error)) throw error;
      }
    }
    throw new Error(`Secret ${options.namespace}/${options.secret} kept changing under us`);
  };

  const inject = async (ca: string): Promise<void> => {
    const bundle = b64(ca);
    const validating = await admission.readValidatingWebhookConfiguration({ name: options.validating });
    if ((validating.webhooks ?? []).some((w) => w.clientConfig.caBundle !== bundle)) {
      for (const w of validating.webhooks ?? []) w.clientConfig.caBundle = bundle;
      await admission.replaceValidatingWebhookConfiguration({ name: options.validating, body: validating });
      logger.info({ configuration: options.validating }, 'caBundle injected');
    }
    const mutating = await admission.readMutatingWebhookConfiguration({ name: options.mutating });
    if ((mutating.webhooks ?? []).some((w) => w.clientConfig.caBundle !== bundle)) {
      for (const w of mutating.webhooks ?? []) w.clientConfig.caBundle = bundle;
      await admission.replaceMutatingWebhookConfiguration({ name: options.mutating, body: mutating });
      logger.info({ configuration: options.mutating }, 'caBundle injected');
    }
  };

  const round = async (): Promise<void> => {
    const { pair, ca } = await settle();
    serve(pair);
    await inject(ca);
    injected = true;
  };

  // The first round must succeed: without a certificate there is nothing to serve.
  for (;;) {
    try {
      await round();
      break;
    } catch (error) {
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'serving certificate not settled yet; retrying');
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
  const timer = setInterval(() => {
    round().catch((error: unknown) => {
      if (!conflict(error)) logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'certificate check failed; retrying');
    });
  }, options.checkEveryMs);
  timer.unref();
  return { certFile, keyFile, ready: () => injected, stop: () => { clearInterval(timer); } };
}
