/**
 * What bench/e2e-overhead creates through the apiserver: a Galera StatefulSet that every
 * rule allows (so each create is judged in full and answered 201), one with an even member
 * count (denied by the webhook and the policy alike: proof that a set-up is in force), and
 * an ordinary Deployment that the matchConditions filter keeps away from the webhook.
 */
export function galeraStatefulSet(name: string, replicas = 3): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, labels: { 'galera-gitops.io/cluster': name } },
    spec: {
      replicas,
      serviceName: `${name}-peers`,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 600,
          containers: [{ name: 'db', image: 'mariadb:11.4.4', ports: [{ containerPort: 3306 }, { containerPort: 4567 }], readinessProbe: { exec: { command: ['/usr/local/bin/probe.sh', 'ready'] } }, volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql' }] }],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  });
}

export function plainDeployment(name: string): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27.3', ports: [{ containerPort: 80 }] }] } } },
  });
}
