// The checkers' heap policy: the growth flag is set unless the operator chose one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectGarbageNow, heapGrowthFlag, HEAP_GROWING_PERCENT } from '../../../src/check/heap-policy.js';

test('the growth flag is set when the operator gave none', () => {
  assert.equal(heapGrowthFlag([]), `--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  assert.equal(heapGrowthFlag(['--max-old-space-size=512', '--heap-prof']), `--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
});

test("the operator's own choice, in either spelling, is left alone", () => {
  assert.equal(heapGrowthFlag(['--heap-growing-percent=100']), undefined);
  assert.equal(heapGrowthFlag(['--heap_growing_percent=20']), undefined);
  assert.equal(heapGrowthFlag(['--heap-growing-percent', '30']), undefined);
});

test('collectGarbageNow runs a full collection: garbage that survived into the old generation is gone after it', async () => {
  const { getHeapStatistics } = await import('node:v8');
  // ~40 MB of small objects kept across a few scavenges (so they reach the old generation), then dropped.
  let keep: unknown[] | undefined = Array.from({ length: 400_000 }, (_, i) => ({ i, pad: [i, i + 1, i + 2, i + 3, i + 4, i + 5] }));
  for (let k = 0; k < 50; k++) Array.from({ length: 100_000 }, (_, i) => ({ i }));
  const before = getHeapStatistics().used_heap_size;
  assert.ok(keep.length > 0);
  keep = undefined;
  assert.equal(collectGarbageNow(), true);
  const after = getHeapStatistics().used_heap_size;
  assert.ok(before - after > 20 * 1024 * 1024, `used ${Math.round(before / 1048576)} -> ${Math.round(after / 1048576)} MB`);
  // No gc function is left behind in this context.
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
});
