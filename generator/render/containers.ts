/**
 * The containers of a member: the server (start.sh as its command, probes, the accounts'
 * Secrets) and, beside it, the metrics exporter (mysqld_exporter on 9104, logged in as the
 * least-privileged monitoring account).
 */
import type { ClusterSpec } from '../spec-types.ts';
import { CONFIG_DIR, CONTAINER, DATA_CLAIM, DATA_DIR, METRICS_PORT, PORTS, RUNTIME_DIR, peersService } from './names.ts';
import { SIZES } from '../sizes.ts';

/** Where probes run the copy of the scripts the container started with. */
const SCRIPT_COPY = `${RUNTIME_DIR}/scripts`;
export const MONITOR_USER = 'galera_monitor';

const secretEnv = (name: string, secret: string): unknown => ({ name, valueFrom: { secretKeyRef: { name: secret, key: 'password' } } });
const probe = (kind: string, extra: Record<string, unknown>): unknown => ({ exec: { command: ['bash', `${SCRIPT_COPY}/probe.sh`, kind] }, ...extra });
const locked = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };

export function serverContainer(spec: ClusterSpec): Record<string, unknown> {
  const small = SIZES.small;
  return {
    name: CONTAINER,
    image: spec.image,
    command: ['bash', `${CONFIG_DIR}/start.sh`],
    env: [
      secretEnv('MYSQL_ROOT_PASSWORD', spec.secrets.root),
      secretEnv('GALERA_MONITOR_PASSWORD', spec.secrets.monitor),
      ...(spec.app === undefined
        ? []
        : [{ name: 'GALERA_APP_DATABASE', value: spec.app.database }, { name: 'GALERA_APP_USER', value: spec.app.user }, secretEnv('GALERA_APP_PASSWORD', spec.app.secret)]),
      { name: 'GALERA_FLAVOR', value: spec.flavor },
      // Peers are <sts>-<i>.<governing Service>.<namespace>.svc.
      { name: 'GALERA_PEERS_SERVICE', value: peersService(spec) },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      // Liveness restarts a member outside Synced (no state transfer) after this long.
      { name: 'GALERA_STUCK_SECONDS', value: '120' },
    ],
    ports: PORTS.map((p) => ({ name: p.name, containerPort: p.port })),
    // Every 2 s, out at the first failure: Galera notices a lost peer after
    // evs.suspect_timeout (5 s), so a member cut off from the Primary component leaves the
    // client Service's endpoints within 10 s. A Ready member out for one period by mistake
    // only misses new connections for 2 s.
    readinessProbe: probe('readiness', { periodSeconds: 2, failureThreshold: 1, timeoutSeconds: 2 }),
    // probe.sh gives a starting server 10 min and a stuck one 2 min itself; the kubelet
    // restarts after 3 failures 10 s apart.
    // A member the liveness probe gives up on is hung or stuck (a server that failed an
    // incremental transfer can hang in its own shutdown): it gets 60 s to stop cleanly, not
    // the pod's 600 s meant for a busy member's orderly shutdown.
    livenessProbe: probe('liveness', { periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 8, terminationGracePeriodSeconds: 60 }),
    resources: { requests: { cpu: small.cpu, memory: small.memory }, limits: { memory: small.memory } },
    securityContext: locked,
    volumeMounts: [
      { name: DATA_CLAIM, mountPath: DATA_DIR },
      { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
      { name: 'cluster', mountPath: '/etc/galera-gitops-cluster', readOnly: true },
      { name: 'runtime', mountPath: RUNTIME_DIR },
    ],
  };
}

/**
 * mysqld_exporter over the loopback address, as the monitoring account: it only reads
 * status (PROCESS, REPLICATION CLIENT, SLAVE MONITOR, performance_schema). Its scrape goes
 * through the governing Service, which lists members that are not Ready too: those are
 * the ones an operator wants to see.
 */
export function exporterContainer(spec: ClusterSpec): Record<string, unknown> {
  return {
    name: 'metrics',
    image: spec.metrics.image,
    args: ['--mysqld.address=127.0.0.1:3306', `--mysqld.username=${MONITOR_USER}`, `--web.listen-address=:${String(METRICS_PORT)}`],
    env: [secretEnv('MYSQLD_EXPORTER_PASSWORD', spec.secrets.monitor)],
    ports: [{ name: 'metrics', containerPort: METRICS_PORT }],
    // No readiness probe: a member's readiness (its place behind the client Service) must
    // not depend on its exporter.
    resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
    securityContext: { ...locked, readOnlyRootFilesystem: true },
  };
}
