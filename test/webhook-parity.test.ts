/**
 * Parity: every object of the shared fixture corpus, sent to the webhook as an
 * AdmissionReview, gets the verdict and findings `check` gives it. The webhook sees the
 * fixture's other objects as `check` does (a bundle-scoped cache), so the two can only
 * differ if decoding, judging or the answer's wording drift apart. (`check` lists findings
 * by line, the webhook in catalogue order: the comparison ignores order.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import { loadInputs } from '../cli/check/load.ts';
import { checkInputs } from '../cli/check/run.ts';
import { blocks, normalise } from '../policies/index.ts';
import { refOf } from '../policies/object.ts';
import { StaticCache } from '../webhook/cache.ts';
import { warningsFor } from '../webhook/judge.ts';
import { corpus } from './support/corpus.ts';
import { review, testApp } from './support/reviews.ts';

interface Answer {
  response: { allowed: boolean; status?: { code: number; message: string }; warnings?: string[] };
}

describe('webhook and check agree on the fixture corpus', () => {
  for (const entry of corpus()) {
    it(entry.name, async () => {
      const report = checkInputs([entry.file], () => '');
      const { objects } = loadInputs([entry.file], () => '');
      const { app } = testApp(new StaticCache(objects.map((o) => o.object), 'bundle'));
      for (const { object } of objects) {
        const ref = refOf(normalise(object));
        const expected = report.findings.filter((f) => f.object.kind === ref.kind && f.object.namespace === ref.namespace && f.object.name === ref.name);
        const res = await request(app).post('/validate').set('content-type', 'application/json').send(review(object));
        assert.equal(res.status, 200);
        const { response } = res.body as Answer;
        const denying = expected.filter(blocks);
        assert.equal(response.allowed, denying.length === 0, `${ref.kind} ${ref.name}`);
        if (!response.allowed) assert.equal(response.status?.code, 403);
        const deniedLines = (response.status?.message ?? '').split('\n').filter((l) => l.startsWith('- '));
        assert.deepEqual(deniedLines.sort(), denying.map((f) => `- ${f.rule} at ${f.path}: ${f.message}`).sort());
        assert.deepEqual([...(response.warnings ?? [])].sort(), warningsFor(expected.filter((f) => !blocks(f))).sort());
      }
    });
  }
});
