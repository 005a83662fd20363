import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { valueDepthProblem } from './depth.ts';

/** `levels` arrays nested in one another. */
function nested(levels: number): unknown[] {
  const root: unknown[] = [];
  let node = root;
  for (let i = 1; i < levels; i++) {
    const child: unknown[] = [];
    node.push(child);
    node = child;
  }
  return root;
}

describe('valueDepthProblem', () => {
  it('accepts a value exactly at the limit and refuses one level more', () => {
    assert.equal(valueDepthProblem(nested(100), 100), undefined);
    assert.equal(valueDepthProblem(nested(101), 100), 'too deep');
    assert.equal(valueDepthProblem('scalar', 1), undefined);
    assert.equal(valueDepthProblem({ a: 1, b: [1, 2] }, 2), undefined);
  });

  it('walks 200,000 levels without recursion', () => {
    assert.equal(valueDepthProblem(nested(200_000), 100), 'too deep');
    assert.equal(valueDepthProblem(nested(200_000), 300_000), undefined);
  });

  it('finds a value that contains itself', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = { back: cycle };
    assert.equal(valueDepthProblem({ data: cycle }, 100), 'cycle');
  });

  it('measures a shared object once, so a value with 2^60 paths is quick', () => {
    let shared: unknown = { leaf: true };
    for (let i = 0; i < 60; i++) shared = [shared, shared];
    assert.equal(valueDepthProblem(shared, 100), undefined);
    assert.equal(valueDepthProblem(shared, 60), 'too deep');
  });

  it('counts the depth a shared object is reached at, not where it was first seen', () => {
    const shared = nested(5);
    assert.equal(valueDepthProblem({ shallow: shared, deep: [[[[[shared]]]]] }, 10), 'too deep');
    assert.equal(valueDepthProblem({ shallow: shared, deep: [[[[[shared]]]]] }, 11), undefined);
  });
});
