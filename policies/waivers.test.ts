import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWaivers } from './waivers.ts';

const known = ['odd-replicas', 'termination-grace'];
const withWaiver = (value: string): unknown => ({ metadata: { annotations: { 'galera-gitops.io/waive': value } } });

describe('parseWaivers', () => {
  it('reads one waiver per line, the reason after the first colon', () => {
    assert.deepEqual(parseWaivers(withWaiver('odd-replicas: arbitrator: garbd on host x\n\n  termination-grace: scratch data  \n'), known), {
      waivers: [
        { rule: 'odd-replicas', reason: 'arbitrator: garbd on host x' },
        { rule: 'termination-grace', reason: 'scratch data' },
      ],
      problems: [],
    });
  });

  it('refuses unknown rules and missing reasons, with a message that says how to fix them', () => {
    const parsed = parseWaivers(withWaiver('odd: x\nodd-replicas:'), known);
    assert.deepEqual(parsed.waivers, []);
    assert.deepEqual(parsed.problems.map((p) => p.message), [
      'metadata.annotations.galera-gitops.io/waive waives "odd", which is not a rule of the catalogue (odd-replicas, termination-grace): write "<rule>: <reason>" with one of those ids',
      'metadata.annotations.galera-gitops.io/waive waives odd-replicas without a reason, so the waiver is not honoured: write "odd-replicas: <why this object is safe>"',
    ]);
  });

  it('has nothing to say about an object without the annotation', () => {
    assert.deepEqual(parseWaivers({ metadata: {} }, known), { waivers: [], problems: [] });
  });
});
