import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MonotonicClock } from '../../../src/adapters/clock.js';

test('precise timers never fire before their deadline; cleared timers never fire', async () => {
  const c = new MonotonicClock();
  const early: number[] = [];
  await Promise.all([0.5, 3, 7.25, 12].map((ms) => new Promise<void>((resolve) => {
    const due = c.now() + ms;
    c.setTimer(ms, () => { early.push(Math.max(0, due - c.now())); resolve(); }, true);
  })));
  assert.deepEqual(early, [0, 0, 0, 0]);
  let fired = false;
  const h = c.setTimer(5, () => { fired = true; }, true);
  const h2 = c.setTimer(1, () => { fired = true; });
  c.clearTimer(h); c.clearTimer(h2);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(fired, false);
});
