/**
 * No request body, however broken, crashes the webhook or leaves a request without an
 * answer: random text, random JSON, and real reviews with random parts replaced.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import request from 'supertest';
import { galeraStatefulSet, service } from './support/objects.ts';
import { StaticCache } from '../webhook/cache.ts';
import { review, testApp } from './support/reviews.ts';

const { app } = testApp(new StaticCache([galeraStatefulSet('g'), service('g-peers', { clusterIP: 'None' })]));
const base = review(galeraStatefulSet('g', { replicas: 4 }), { uid: 'fuzz' });

async function answer(body: string, path: string): Promise<void> {
  const res = await request(app).post(path).set('content-type', 'application/json').timeout(5000).send(body);
  assert.ok([200, 400, 413].includes(res.status), `status ${String(res.status)} for ${body.slice(0, 200)}`);
  assert.match(String(res.headers['content-type']), /application\/json/);
  if (res.status === 200) {
    const parsed = JSON.parse(body) as { request: { uid: string } };
    assert.equal((res.body as { response: { uid: string } }).response.uid, parsed.request.uid);
  }
}

/** Replaces the value at a random path of a review with an arbitrary value. */
function mutated(value: unknown, path: readonly string[], replacement: unknown): unknown {
  if (path.length === 0 || typeof value !== 'object' || value === null) return replacement;
  const [head, ...rest] = path;
  if (head === undefined) return replacement;
  if (Array.isArray(value)) {
    const list: unknown[] = (value as unknown[]).slice();
    list[Number(head)] = mutated(list[Number(head)], rest, replacement);
    return list;
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  copy[head] = mutated(copy[head], rest, replacement);
  return copy;
}

const paths = fc.constantFrom(
  [], ['request'], ['request', 'uid'], ['request', 'kind'], ['request', 'object'], ['request', 'object', 'spec'], ['request', 'object', 'metadata'],
  ['request', 'object', 'spec', 'template', 'spec', 'containers'], ['request', 'object', 'spec', 'volumeClaimTemplates'], ['request', 'object', 'spec', 'replicas'],
  ['request', 'operation'], ['request', 'oldObject'], ['request', 'subResource'], ['request', 'namespace'], ['request', 'object', 'metadata', 'annotations'],
);

describe('fuzzing the admission endpoints', { timeout: 300_000 }, () => {
  for (const path of ['/validate', '/mutate']) {
    it(`${path}: random text`, async () => {
      await fc.assert(fc.asyncProperty(fc.string({ maxLength: 300 }), (body) => answer(body, path)), { numRuns: 150 });
    });

    it(`${path}: random JSON`, async () => {
      await fc.assert(fc.asyncProperty(fc.json({ maxDepth: 6 }), (body) => answer(body, path)), { numRuns: 150 });
    });

    it(`${path}: reviews with a random part replaced`, async () => {
      const anything = fc.anything({ maxDepth: 4, withNullPrototype: false, withBigInt: false, withDate: false, withMap: false, withSet: false, withTypedArray: false, withSparseArray: false });
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(paths, anything, async (where, replacement) => {
          runs++;
          // JSON.stringify gives undefined (typed string) for undefined; send the text "null" then.
          const value = mutated(base, where, replacement);
          await answer(value === undefined ? 'null' : JSON.stringify(value), path);
        }),
        { numRuns: 400 },
      );
      assert.equal(runs, 400);
    });
  }
});
