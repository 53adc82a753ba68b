// The checkers' heap policy: the growth flag is set unless the operator chose one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heapGrowthFlag, HEAP_GROWING_PERCENT } from '../../../src/check/heap-policy.js';

test('the growth flag is set when the operator gave none', () => {
  assert.equal(heapGrowthFlag([]), `--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  assert.equal(heapGrowthFlag(['--max-old-space-size=512', '--heap-prof']), `--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
});

test("the operator's own choice, in either spelling, is left alone", () => {
  assert.equal(heapGrowthFlag(['--heap-growing-percent=100']), undefined);
  assert.equal(heapGrowthFlag(['--heap_growing_percent=20']), undefined);
  assert.equal(heapGrowthFlag(['--heap-growing-percent', '30']), undefined);
});
