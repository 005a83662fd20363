/**
 * The review mix of bench/webhook, 1-2 KB each, the shapes the webhook sees most: a Galera
 * StatefulSet that is denied and one that is allowed, a Deployment and a plain
 * StatefulSet that are not Galera (with matchConditions the apiserver keeps these away; a
 * webhook registered without them gets them all), a governing Service and a Scale.
 */
import type { KubeObject } from '../../policies/index.ts';
import { galeraStatefulSet, service, statefulSet } from '../../test/support/objects.ts';
import { review } from '../../test/support/reviews.ts';

function deployment(): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }], env: [{ name: 'LOG_LEVEL', value: 'info' }] }] } } } };
}

export const MIX = 'Galera StatefulSet (denied and allowed), Deployment, plain StatefulSet, governing Service, Scale; 1-2 KB each';

export const bodies: readonly string[] = [
  review(galeraStatefulSet('g', { replicas: 4 })),
  review(galeraStatefulSet('g')),
  review(deployment()),
  review(statefulSet('cache', { replicas: 2 })),
  review(service('g-peers', { clusterIP: 'None', publishNotReadyAddresses: true, ports: [{ port: 4567 }] })),
  review({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'g', namespace: 'db' }, spec: { replicas: 3 } }),
].map((b) => JSON.stringify(b));
