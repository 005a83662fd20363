/** The webhook's admission behaviour through HTTP (supertest against the express app). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fastJsonPatch from 'fast-json-patch';
import request from 'supertest';
import type { KubeObject } from '../policies/index.ts';
import { galeraStatefulSet, service, statefulSet } from './support/objects.ts';
import { StaticCache } from '../webhook/cache.ts';
import { DEFAULT_CONFIG } from '../webhook/config.ts';
import { review, testApp } from './support/reviews.ts';

interface Answer {
  apiVersion: string;
  kind: string;
  response: { uid: string; allowed: boolean; status?: { code: number; reason: string; message: string }; warnings?: string[]; patchType?: string; patch?: string };
}

const peers = service('g-peers', { clusterIP: 'None', publishNotReadyAddresses: true });
const namespace = (name: string, mode?: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(mode === undefined ? {} : { labels: { 'galera-gitops.io/mode': mode } }) } });
const scale = (name: string, replicas: number): KubeObject => ({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name, namespace: 'db' }, spec: { replicas } });
const EVEN = 'odd-replicas at spec.replicas: spec.replicas is 4; a Galera cluster needs an odd number of members (1, 3, 5, ...) to keep quorum when the network splits: set it to 3 or 5';

async function send(app: Parameters<typeof request>[0], body: unknown, path = '/validate'): Promise<Answer> {
  const res = await request(app).post(path).set('content-type', 'application/json').send(body as object);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as Answer;
}

describe('validate', () => {
  const cluster = new StaticCache([peers, galeraStatefulSet('g'), statefulSet('web', { replicas: 2 }), namespace('db')]);
  const { app } = testApp(cluster);

  it('answers an AdmissionReview v1 with the request uid, denying with 403 and the rule words', async () => {
    const answer = await send(app, review(galeraStatefulSet('g', { replicas: 4 }), { uid: 'abc-123' }));
    assert.deepEqual(answer, {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'abc-123', allowed: false, status: { code: 403, reason: 'Forbidden', message: `StatefulSet db/g breaks a Galera rule:\n- ${EVEN}` } },
    });
  });

  it('allows a valid Galera StatefulSet and anything that is not Galera', async () => {
    assert.deepEqual((await send(app, review(galeraStatefulSet('g')))).response, { uid: 'uid-db-g-StatefulSet', allowed: true });
    assert.equal((await send(app, review(statefulSet('web', { replicas: 2, podManagementPolicy: 'Parallel' })))).response.allowed, true);
  });

  it('judges the statefulsets/scale subresource by the parent StatefulSet in the cache', async () => {
    const even = await send(app, review(scale('g', 4)));
    assert.equal(even.response.allowed, false);
    assert.equal(even.response.status?.message, `Scale db/g breaks a Galera rule:\n- ${EVEN}`);
    assert.equal((await send(app, review(scale('g', 5)))).response.allowed, true);
    assert.equal((await send(app, review(scale('web', 2)))).response.allowed, true);
  });

  it('lets the failure mode decide a Scale whose parent is unknown', async () => {
    const unknown = await send(app, review(scale('new', 4)));
    assert.equal(unknown.response.status?.message, `Scale db/new breaks a Galera rule:\n- odd-replicas at spec.replicas: spec.replicas is 4; a Galera cluster needs an odd number of members (1, 3, 5, ...) to keep quorum when the network splits: set it to 3 or 5; StatefulSet new is not in the webhook's cache (it may have been created a moment ago), so galera-gitops cannot tell whether it is a Galera cluster and denies even counts (policy unknownParent: deny); retry, or scale to an odd count`);
    assert.equal((await send(app, review(scale('new', 3)))).response.allowed, true);
    const lenient = testApp(cluster, { ...DEFAULT_CONFIG, unknownParent: 'allow' }).app;
    assert.equal((await send(lenient, review(scale('new', 4)))).response.allowed, true);
    const offline = testApp(new StaticCache()).app;
    assert.match((await send(offline, review(scale('g', 4)))).response.status?.message ?? '', /StatefulSet g cannot be looked up \(the webhook runs without cluster credentials\)/);
  });

  it('judges dry-run requests exactly like real ones', async () => {
    const real = await send(app, review(galeraStatefulSet('g', { replicas: 4 }), { uid: 'x' }));
    const dry = await send(app, review(galeraStatefulSet('g', { replicas: 4 }), { uid: 'x', dryRun: true }));
    assert.deepEqual(dry, real);
  });

  it('judges UPDATE with the old object, and allows DELETE', async () => {
    const update = await send(app, review(galeraStatefulSet('g', { replicas: 6 }), { operation: 'UPDATE', oldObject: galeraStatefulSet('g') }));
    assert.match(update.response.status?.message ?? '', /spec\.replicas is 6/);
    const del = await send(app, review(galeraStatefulSet('g', { replicas: 4 }), { operation: 'DELETE', oldObject: galeraStatefulSet('g', { replicas: 4 }) }));
    assert.deepEqual(del.response, { uid: 'uid-db-g-StatefulSet', allowed: true });
  });

  it('reports warn findings as short warnings without a prefix', async () => {
    const answer = await send(app, review(galeraStatefulSet('g', { replicas: 1 })));
    assert.deepEqual(answer.response.warnings, ['odd-replicas: spec.replicas is 1; a single Galera member has no fault tolerance: use 3 or more members outside develop…']);
    assert.equal(answer.response.allowed, true);
    for (const w of answer.response.warnings ?? []) assert.ok(w.length < 120 && !w.startsWith('Warning'));
  });

  it('names the Argo CD Application or Flux Kustomization that applied the object', async () => {
    const argo = galeraStatefulSet('g', { replicas: 4 });
    argo.metadata.annotations = { 'argocd.argoproj.io/tracking-id': 'orders-db-prod:apps/StatefulSet:db/g' };
    assert.equal((await send(app, review(argo))).response.status?.message.split('\n')[0], 'StatefulSet db/g breaks a Galera rule (applied by Argo CD Application orders-db-prod: fix it there):');
    const legacy = galeraStatefulSet('g', { replicas: 4 });
    legacy.metadata.labels = { ...(legacy.metadata.labels as object), 'app.kubernetes.io/instance': 'orders-db-staging' };
    assert.match((await send(app, review(legacy))).response.status?.message ?? '', /\(applied by Argo CD Application orders-db-staging: fix it there\)/);
    const flux = galeraStatefulSet('g', { replicas: 4 });
    flux.metadata.labels = { ...(flux.metadata.labels as object), 'kustomize.toolkit.fluxcd.io/name': 'orders-db-prod', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' };
    assert.match((await send(app, review(flux))).response.status?.message ?? '', /\(applied by Flux Kustomization flux-system\/orders-db-prod: fix it there\)/);
  });

  it('honours a waiver: allowed, shown as a warning, and logged', async () => {
    const { app: logged, logs } = testApp(cluster);
    const waived = galeraStatefulSet('g', { replicas: 2 });
    waived.metadata.annotations = { 'galera-gitops.io/waive': 'odd-replicas: garbd arbitrator on a third host' };
    const answer = await send(logged, review(waived));
    assert.equal(answer.response.allowed, true);
    assert.deepEqual(answer.response.warnings, ['odd-replicas waived (garbd arbitrator on a third host): spec.replicas is 2; a Galera cluster needs an odd number of me…']);
    const line = JSON.parse(logs.find((l) => l.includes('"review"')) ?? '{}') as { waived?: unknown; verdict?: string };
    assert.deepEqual(line.waived, [{ rule: 'odd-replicas', reason: 'garbd arbitrator on a third host' }]);
    assert.equal(line.verdict, 'warned');
  });

  it('follows the mode: config default, overridden by the namespace label; exempt namespaces', async () => {
    const cache = new StaticCache([namespace('relaxed', 'warn'), namespace('lab', 'off'), namespace('strict', 'enforce')]);
    const bad = (ns: string): KubeObject => ({ ...galeraStatefulSet('g', { replicas: 4 }), metadata: { name: 'g', namespace: ns, labels: { 'galera-gitops.io/cluster': 'g' } } });
    const enforcing = testApp(cache).app;
    const warned = await send(enforcing, review(bad('relaxed')));
    assert.equal(warned.response.allowed, true);
    assert.match(warned.response.warnings?.[0] ?? '', /^odd-replicas: spec\.replicas is 4; /);
    assert.deepEqual((await send(enforcing, review(bad('lab')))).response, { uid: 'uid-lab-g-StatefulSet', allowed: true });
    assert.equal((await send(enforcing, review(bad('other')))).response.allowed, false);
    const warning = testApp(cache, { ...DEFAULT_CONFIG, mode: 'warn' }).app;
    assert.equal((await send(warning, review(bad('other')))).response.allowed, true);
    assert.equal((await send(warning, review(bad('strict')))).response.allowed, false);
    assert.deepEqual((await send(enforcing, review(bad('kube-system')))).response, { uid: 'uid-kube-system-g-StatefulSet', allowed: true });
  });

  it('applies per-rule severity from the policy file', async () => {
    const relaxed = testApp(cluster, { ...DEFAULT_CONFIG, severity: { 'odd-replicas': 'warn' } }).app;
    assert.equal((await send(relaxed, review(galeraStatefulSet('g', { replicas: 4 })))).response.allowed, true);
  });
});

describe('validate: PodDisruptionBudgets over Galera members', () => {
  const budget = (name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: 'db' }, spec: { selector: { matchLabels: { 'galera-gitops.io/cluster': 'g' } }, ...spec } });
  const members = galeraStatefulSet('g', { replicas: 3, template: { metadata: { labels: { 'galera-gitops.io/cluster': 'g' } }, spec: { containers: [{ name: 'galera', image: 'mariadb:11.4.4' }] } } });

  it('denies a budget that lets a drain break quorum, judged with the StatefulSet in the cache', async () => {
    const { app } = testApp(new StaticCache([members, namespace('db')]));
    const denied = await send(app, review(budget('g-pdb', { maxUnavailable: 3 })));
    assert.equal(denied.response.allowed, false);
    assert.match(denied.response.status?.message ?? '', /^PodDisruptionBudget db\/g-pdb breaks a Galera rule:\n- disruption-budget at spec\.maxUnavailable: /);
    assert.equal((await send(app, review(budget('g-pdb', { maxUnavailable: 1 })))).response.allowed, true);
  });

  it('denies scaling a StatefulSet past what a budget in the cache keeps', async () => {
    const { app } = testApp(new StaticCache([members, budget('g-pdb', { maxUnavailable: 2 }), namespace('db')]));
    const denied = await send(app, review(members));
    assert.equal(denied.response.allowed, false);
    assert.match(denied.response.status?.message ?? '', /disruption-budget at spec\.replicas: PodDisruptionBudget "g-pdb" selects these members/);
  });
});

describe('mutate', () => {
  const cluster = new StaticCache([galeraStatefulSet('g')]);
  const { app } = testApp(cluster);
  const annotated = (): KubeObject =>
    service('g-peers', { clusterIP: 'None', ports: [{ port: 3306 }] }, { annotations: { 'service.alpha.kubernetes.io/tolerate-unready-endpoints': 'true', 'argocd.argoproj.io/tracking-id': 'orders:/Service:db/g-peers' }, labels: { 'kustomize.toolkit.fluxcd.io/name': 'orders' } });

  it('adds publishNotReadyAddresses to a Galera governing Service that left it out, and nothing else', async () => {
    const object = annotated();
    const answer = await send(app, review(object), '/mutate');
    assert.equal(answer.response.allowed, true);
    assert.equal(answer.response.patchType, 'JSONPatch');
    const patch = JSON.parse(Buffer.from(answer.response.patch ?? '', 'base64').toString('utf8')) as fastJsonPatch.Operation[];
    assert.deepEqual(patch, [{ op: 'add', path: '/spec/publishNotReadyAddresses', value: true }]);
    const patched = fastJsonPatch.applyPatch(structuredClone(object), patch).newDocument;
    assert.deepEqual(patched.metadata, object.metadata);
    const again = await send(app, review(patched), '/mutate');
    assert.deepEqual(again.response, { uid: 'uid-db-g-peers-Service', allowed: true });
    assert.equal((await send(app, review(patched))).response.allowed, true);
  });

  it('never changes a field that was set: publishNotReadyAddresses: false is left to validation', async () => {
    const object = annotated();
    (object.spec as Record<string, unknown>).publishNotReadyAddresses = false;
    assert.deepEqual((await send(app, review(object), '/mutate')).response, { uid: 'uid-db-g-peers-Service', allowed: true });
    assert.equal((await send(app, review(object))).response.allowed, false);
  });

  it('leaves Services that are not Galera peers alone', async () => {
    const web = service('web', { clusterIP: 'None', ports: [{ port: 80 }] }, { annotations: { 'service.alpha.kubernetes.io/tolerate-unready-endpoints': 'true' } });
    assert.deepEqual((await send(app, review(web), '/mutate')).response, { uid: 'uid-db-web-Service', allowed: true });
  });
});

describe('bad requests', () => {
  const { app } = testApp(new StaticCache());
  const post = (body: string, type = 'application/json') => request(app).post('/validate').set('content-type', type).send(body);

  it('answers 400 with a JSON error for bodies that are not AdmissionReviews', async () => {
    for (const [body, error] of [
      ['{not json', 'the body is not valid JSON'],
      ['[1,2]', 'the body is not a JSON object'],
      ['{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{}}', 'the body is not an admission.k8s.io/v1 AdmissionReview'],
      ['{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}', 'the AdmissionReview has no request'],
      ['{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"kind":{}}}', 'request.uid is missing'],
    ] as const) {
      const res = await post(body);
      assert.equal(res.status, 400, body);
      assert.equal((res.body as { error: string }).error, error);
    }
  });

  it('answers 415 for a wrong content type and 413 for a body over 7 MiB', async () => {
    const wrong = await post('{}', 'text/plain');
    assert.equal(wrong.status, 415);
    assert.deepEqual(wrong.body, { error: 'content type text/plain is not supported: send application/json' });
    const big = await post(`{"pad":"${'x'.repeat(7 * 1024 * 1024)}"}`);
    assert.equal(big.status, 413);
    assert.deepEqual(big.body, { error: 'the body is larger than 7340032 bytes' });
  });

  it('answers 404 for other paths', async () => {
    assert.equal((await request(app).get('/validate')).status, 404);
  });
});

describe('operations endpoints', () => {
  it('serves health, readiness (waiting for the cache, failing while it is stale) and Prometheus metrics', async () => {
    const syncing = new StaticCache([]);
    let synced = false;
    let stale = false;
    syncing.synced = () => synced;
    syncing.stale = () => stale;
    syncing.ages = () => ({ StatefulSet: stale ? 42 : 0 });
    const { app } = testApp(syncing);
    assert.equal((await request(app).get('/healthz')).status, 200);
    assert.deepEqual((await request(app).get('/readyz')).body, { tls: true, cacheSynced: false, cacheFresh: true, stopping: false });
    assert.equal((await request(app).get('/readyz')).status, 503);
    synced = true;
    assert.equal((await request(app).get('/readyz')).status, 200);
    stale = true;
    const notReady = await request(app).get('/readyz');
    assert.deepEqual([notReady.status, notReady.body], [503, { tls: true, cacheSynced: true, cacheFresh: false, stopping: false }]);
    stale = false;
    await send(app, review(galeraStatefulSet('g', { replicas: 4 })));
    stale = true;
    const metrics = await request(app).get('/metrics');
    assert.match(metrics.text, /galera_gitops_reviews_total\{endpoint="validate",operation="CREATE",kind="StatefulSet",verdict="denied"\} 1/);
    assert.match(metrics.text, /galera_gitops_findings_total\{rule="odd-replicas",severity="deny",verdict="denied"\} 1/);
    // Counted in the histogram; which bucket depends on the machine's load, so none is asserted.
    assert.match(metrics.text, /galera_gitops_review_duration_seconds_count\{endpoint="validate",verdict="denied"\} 1/);
    assert.match(metrics.text, /galera_gitops_requests_in_flight 0/);
    assert.match(metrics.text, /galera_gitops_http_responses_total\{endpoint="readyz",code="503"\} 3/);
    assert.match(metrics.text, /galera_gitops_cache_stale 1/);
    assert.match(metrics.text, /galera_gitops_cache_age_seconds\{kind="StatefulSet"\} 42/);
  });

  it('keeps every label value bounded: a kind it does not know is "other", any path "other"', async () => {
    const { app } = testApp(new StaticCache([]));
    for (let i = 0; i < 50; i++) {
      const body = review(galeraStatefulSet('g'));
      ((body.request as Record<string, unknown>).kind as Record<string, unknown>).kind = `Kind${String(i)}`;
      await send(app, body);
      await request(app).get(`/probe-${String(i)}`);
    }
    const text = (await request(app).get('/metrics')).text;
    assert.match(text, /galera_gitops_reviews_total\{endpoint="validate",operation="CREATE",kind="other",verdict="warned"\} 50/);
    assert.match(text, /galera_gitops_http_responses_total\{endpoint="other",code="404"\} 50/);
    assert.doesNotMatch(text, /Kind\d|probe-/);
  });

  it('counts 4xx answers by status code', async () => {
    const { app } = testApp(new StaticCache([]));
    await request(app).post('/validate').set('content-type', 'application/json').send('{not json');
    await request(app).post('/validate').set('content-type', 'text/plain').send('x');
    await request(app).post('/validate').set('content-type', 'application/json').send(Buffer.alloc(8 * 1024 * 1024, 32));
    const text = (await request(app).get('/metrics')).text;
    for (const code of ['400', '413', '415']) assert.match(text, new RegExp(`galera_gitops_http_responses_total\\{endpoint="validate",code="${code}"\\} 1`));
  });

  it('logs uid, kind, name, verdict and duration, never the object or a secret value', async () => {
    const { app, logs } = testApp(new StaticCache([]));
    const leaky = galeraStatefulSet('g', {
      template: { spec: { terminationGracePeriodSeconds: 600, containers: [{ name: 'db', image: 'mariadb:11', env: [{ name: 'MYSQL_ROOT_PASSWORD', value: 'hunter2-secret' }], volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql' }] }] } },
    });
    await send(app, review(leaky, { uid: 'log-1' }));
    const line = logs.find((l) => l.includes('log-1')) ?? '';
    const parsed = JSON.parse(line) as Record<string, unknown>;
    assert.equal(parsed.uid, 'log-1');
    assert.equal(parsed.kind, 'StatefulSet');
    assert.equal(parsed.name, 'g');
    assert.equal(parsed.verdict, 'denied');
    assert.equal(typeof parsed.durationMs, 'number');
    assert.ok(!logs.join('\n').includes('hunter2'), 'a secret value reached the log');
    assert.ok(!logs.join('\n').includes('volumeClaimTemplates'), 'the object body reached the log');
  });
});
