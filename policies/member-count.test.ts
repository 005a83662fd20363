import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memberCountFindings } from './member-count.ts';

describe('memberCountFindings', () => {
  it('accepts odd counts of 3 and more', () => {
    for (const n of [3, 5, 7, 9, 101]) assert.deepEqual(memberCountFindings(n, 'spec.replicas'), []);
  });

  it('denies even counts and proposes the odd neighbours', () => {
    for (const n of [2, 4, 6, 100]) {
      assert.deepEqual(memberCountFindings(n, 'spec.replicas'), [
        { path: 'spec.replicas', message: `spec.replicas is ${n}; a Galera cluster needs an odd number of members (1, 3, 5, ...) to keep quorum when the network splits: set it to ${n - 1} or ${n + 1}` },
      ]);
    }
  });

  it('warns on 1 and on 0', () => {
    assert.equal(memberCountFindings(1, 'x')[0]?.severity, 'warn');
    assert.equal(memberCountFindings(0, 'x')[0]?.severity, 'warn');
    assert.equal(memberCountFindings(0, 'spec.minReplicas')[0]?.message, 'spec.minReplicas is 0; this is a full stop of the Galera cluster and the next start needs a bootstrap from the member with the latest data: scale back to the previous odd count when the maintenance is done');
  });
});
